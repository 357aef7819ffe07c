"""/schedule, /now, /next, /speaker, their autocomplete and schedule answers to /ask,
asserted on the JSON that reaches the fake Discord, over the made-up schedule (beside the
bundled notes) on a clock set during the conference."""

from __future__ import annotations

from typing import Any

import pytest

from bot.commands import SummitService
from bot.commands.service import MAX_PLACE_CHARS
from bot.platforms.discord.render import SCHEDULE_HEDGE
from tests.discord.fake_discord import APP_ID, FakeDiscord
from tests.schedule.service_fixtures import (
    BOLD_TITLE,
    PING_TITLE,
    instant,
)

EPHEMERAL = 64
NO_PINGS: dict[str, list[str]] = {"parse": []}
STRING = 3  # application command option type

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def service(scheduled_service: SummitService) -> SummitService:
    """Replaces the notes-only service the ``bot`` fixture runs with one over the sample
    schedule (tests/conftest.py)."""
    return scheduled_service


def slash(fake: FakeDiscord, command: str, **options: str) -> dict[str, Any]:
    """``fake.slash`` for any option names: its own first parameter is called ``name``,
    which /speaker's option is called too."""
    payload = fake.slash(command)
    payload["data"]["options"] = [{"name": k, "type": STRING, "value": v}
                                  for k, v in options.items()]
    return payload


def stamps(iso: str) -> str:
    unix = instant(iso)
    return f"<t:{unix}:F> (<t:{unix}:R>)"


def public_embed(sent: Any) -> dict[str, Any]:
    """The one embed of a public reply sent as the interaction's first response."""
    assert sent.json["type"] == 4  # CHANNEL_MESSAGE_WITH_SOURCE
    data = sent.json["data"]
    assert not data.get("flags", 0) & EPHEMERAL, data
    assert data["allowed_mentions"] == NO_PINGS
    (embed,) = data["embeds"]
    return embed


async def test_the_schedule_commands_are_registered_with_their_options(
        fake_discord: FakeDiscord) -> None:
    (put,) = fake_discord.matching("PUT", "/commands")
    assert put.path == f"/applications/{APP_ID}/commands"
    schema = {c["name"]: c for c in put.json}
    assert {"schedule", "now", "next", "speaker"} <= set(schema)

    def options(name: str) -> dict[str, dict[str, Any]]:
        return {o["name"]: o for o in schema[name]["options"]}

    day, room, track = schema["schedule"]["options"]  # in the table's order
    assert [day["name"], room["name"], track["name"]] == ["day", "room", "track"]
    assert day["max_length"] == 40
    assert room["max_length"] == track["max_length"] == MAX_PLACE_CHARS
    for option in (day, room, track):
        assert option["type"] == STRING and option["required"] is False
        assert option["autocomplete"] is True and option["min_length"] == 1
    for name in ("now", "next"):
        (where,) = options(name).values()
        assert where["name"] == "where" and where["type"] == STRING
        assert where["required"] is False and where["autocomplete"] is True
        assert where["max_length"] == MAX_PLACE_CHARS
    (who,) = options("speaker").values()
    assert who["name"] == "name" and who["type"] == STRING
    assert who["required"] is True and who["autocomplete"] is True
    assert who["max_length"] == MAX_PLACE_CHARS
    for name in ("schedule", "now", "next", "speaker"):
        assert schema[name]["description"]  # Discord refuses an empty one
        assert schema[name]["default_member_permissions"] is None  # for everyone


async def test_now_lists_the_running_talks_with_discord_stamps(fake_discord: FakeDiscord
                                                              ) -> None:
    sent = await fake_discord.interact(fake_discord.slash("now"))
    embed = public_embed(sent)
    assert embed["title"] == "On now"
    assert not sent.json["data"].get("content")  # no bare "Asked: " when nothing was typed
    lines = embed["description"].split("\n")
    assert len(lines) == 2
    observability, bold = lines
    start = stamps("2030-06-01T13:00:00+02:00")  # 11:00 UTC, whatever the test host's zone
    assert observability == (f"**Observability Deep Dive** — Ada Quill, Tom Reyes · {start}"
                             " · Saal 1")
    # Discord shows HTML as it is written: the title is sent unchanged
    assert bold == f"**{BOLD_TITLE}** — Ren Ito · {start} · Saal 2"
    assert "Quantum Widgets" not in embed["description"]


async def test_now_in_a_room_names_the_room(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(fake_discord.slash("now", where="Saal 1"))
    embed = public_embed(sent)
    assert embed["title"] == "On now in Saal 1"
    assert embed["description"] == (
        "**Observability Deep Dive** — Ada Quill, Tom Reyes · "
        f"{stamps('2030-06-01T13:00:00+02:00')} · Saal 1")


async def test_next_in_a_room_skips_the_cancelled_talk(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(fake_discord.slash("next", where="Saal 2"))
    embed = public_embed(sent)
    assert embed["title"] == "Next in Saal 2"
    # Quantum Widgets (14:00, cancelled) is skipped for the 15:00 workshop
    assert embed["description"] == (
        f"**Soldering Workshop** · {stamps('2030-06-01T15:00:00+02:00')} · Saal 2")


async def test_schedule_of_a_room_lists_todays_talks_there(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(fake_discord.slash("schedule", room="Saal 1"))
    embed = public_embed(sent)
    assert embed["title"] == "Scheduled in Saal 1"
    assert embed["description"].split("\n") == [
        f"**Storage at Scale with Ceph** — Ada Quill · {stamps('2030-06-01T10:00:00+02:00')}"
        " · Saal 1",
        f"**Lunch** · {stamps('2030-06-01T12:00:00+02:00')} · Saal 1",
        "**Observability Deep Dive** — Ada Quill, Tom Reyes · "
        f"{stamps('2030-06-01T13:00:00+02:00')} · Saal 1",
    ]  # not Sunday's keynote nor the pager talk in Saal 1


async def test_schedule_of_a_day_and_a_room_from_their_suggestions(fake_discord: FakeDiscord
                                                                   ) -> None:
    sent = await fake_discord.interact(
        fake_discord.slash("schedule", day="2030-06-02 Sun", room="Saal 1"))
    embed = public_embed(sent)
    titles = [line.split("**")[1] for line in embed["description"].split("\n")]
    assert titles == ["The Future of Summits", PING_TITLE]


async def test_speaker_lists_her_two_talks(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(slash(fake_discord, "speaker", name="Ada Quill"))
    embed = public_embed(sent)
    assert embed["title"] == "Ada Quill's talks"
    ceph, observability = embed["description"].split("\n")
    assert ceph.startswith("**Storage at Scale with Ceph**")
    assert stamps("2030-06-01T10:00:00+02:00") in ceph
    assert observability.startswith("**Observability Deep Dive**")
    assert stamps("2030-06-01T13:00:00+02:00") in observability


async def test_an_unknown_speaker_is_a_private_one_sentence_decline(fake_discord: FakeDiscord
                                                                    ) -> None:
    sent = await fake_discord.interact(slash(fake_discord, "speaker", name="Nobody Here"))
    assert sent.json["type"] == 4
    data = sent.json["data"]
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"] == NO_PINGS
    assert not data.get("embeds")
    assert data["content"].startswith("No speaker called “Nobody Here” is in the schedule.")
    assert "\n" not in data["content"]


async def test_autocomplete_of_places_days_and_speakers(fake_discord: FakeDiscord) -> None:
    def names(sent: Any) -> list[str]:
        assert sent.json["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
        found = sent.json["data"]["choices"]
        assert all(c["name"] == c["value"] for c in found)
        return [c["name"] for c in found]

    places = await fake_discord.interact(fake_discord.autocomplete("now", "where", "saa"))
    assert names(places) == ["Saal 1", "Saal 2"]
    days = await fake_discord.interact(fake_discord.autocomplete("schedule", "day", ""))
    assert names(days) == ["2030-06-01 Sat", "2030-06-02 Sun"]
    people = await fake_discord.interact(fake_discord.autocomplete("speaker", "name", "orte"))
    assert names(people)[0] == "Maria Ortega"


async def test_ask_a_schedule_question_gets_the_talks_embed(fake_discord: FakeDiscord
                                                            ) -> None:
    question = "when is the ceph storage talk?"
    sent = await fake_discord.interact(fake_discord.slash("ask", question=question))
    embed = public_embed(sent)
    assert sent.json["data"]["content"] == f"Asked: {question}"
    assert embed["title"] == "Storage at Scale with Ceph"
    assert embed["url"] == "https://pretalx.example.org/tsum/talk/000101/"
    assert embed["description"] == "How CRUSH places objects without a central table."
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["When"] == stamps("2030-06-01T10:00:00+02:00")
    assert fields["Room"] == "Saal 1"
    assert fields["Track"] == "Storage"
    assert embed["footer"]["text"] == "Ada Quill · Test Summit 2030"


async def test_an_unsure_schedule_answer_says_so(fake_discord: FakeDiscord) -> None:
    question = "when is the observability storage talk?"  # two talks half match
    sent = await fake_discord.interact(fake_discord.slash("ask", question=question))
    embed = public_embed(sent)
    assert embed["title"] == "Storage at Scale with Ceph"
    assert sent.json["data"]["content"] == f"Asked: {question}\n{SCHEDULE_HEDGE}"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Or perhaps"].startswith("**Observability Deep Dive**")


async def test_a_title_with_everyone_in_it_never_pings(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(
        fake_discord.slash("ask", question="when is the talk on pagers?"))
    embed = public_embed(sent)  # allowed_mentions parse [] is asserted there
    assert embed["title"] == PING_TITLE  # the "@everyone" is in what is sent…
    assert "@everyone" in embed["description"]
    listed = await fake_discord.interact(slash(fake_discord, "speaker", name="Kim Pager"))
    assert PING_TITLE in public_embed(listed)["description"]  # …and in a list of talks



async def test_a_list_at_a_time_keeps_its_room_and_no_stamp_in_its_title(
        fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(
        fake_discord.slash("ask", question="what's in saal 2 at 3:30pm"))
    embed = public_embed(sent)
    # Discord renders <t:…> only in descriptions and field values: a title shows it raw
    assert embed["title"] == "On at Sat 1 Jun 15:30 CEST (UTC+02:00) in Saal 2"
    assert embed["description"] == (
        f"**Soldering Workshop** · {stamps('2030-06-01T15:00:00+02:00')} · Saal 2")
