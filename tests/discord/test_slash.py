"""/ask, /session, /sessions and autocomplete, asserted on the JSON that reaches Discord."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from bot.commands import SummitService
from bot.commands.text import DECLINE
from bot.platforms.discord import commands
from bot.platforms.discord.render import FAILURE, HEDGE_ALONE_FIELD, HEDGE_FIELD, NOT_YOUR_LIST
from tests.discord.fake_discord import ALICE, BOB, FakeDiscord, member

EPHEMERAL = 64
NO_PINGS: dict[str, list[str]] = {"parse": []}
CEPH = "what did the Ceph talk say about CRUSH?"
TAPE = "is tape still used for backups"  # hedged: no talk says


def never_sure(service: SummitService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every answer hedged (declines stay declines), whatever the fitted model makes of a
    question: the rendering of a hedged answer is tested, not the model."""
    answerer = service.answerer
    monkeypatch.setattr(answerer, "confidence",
                        dataclasses.replace(answerer.confidence, confident_at=2.0))

pytestmark = pytest.mark.usefixtures("bot")


async def test_ask_hit_is_a_public_embed_quoting_the_notes(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(fake_discord.slash("ask", question=CEPH))
    assert sent.json["type"] == 4  # CHANNEL_MESSAGE_WITH_SOURCE
    data = sent.json["data"]
    assert not data.get("flags", 0) & EPHEMERAL
    assert data["allowed_mentions"] == NO_PINGS
    assert data["content"] == f"Asked: {CEPH}"  # the channel sees what was asked
    (embed,) = data["embeds"]
    assert embed["title"] == "Storing VMs with Cinder and Ceph RBD"
    assert "**CRUSH**" in embed["description"]
    assert "pseudo-random placement" in embed["description"]
    assert "Josh" in embed["footer"]["text"]
    assert any(f["name"] == "Source" for f in embed["fields"])


async def test_ask_miss_is_ephemeral_and_one_sentence(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(
        fake_discord.slash("ask", question="what is the weather on mars tomorrow"))
    data = sent.json["data"]
    assert sent.json["type"] == 4
    assert data["flags"] & EPHEMERAL
    assert data["content"].startswith(DECLINE)
    assert "\n" not in data["content"]
    assert not data.get("embeds")


async def test_ask_cooldown_says_when_to_try_again(fake_discord: FakeDiscord,
                                                  service: SummitService) -> None:
    service.cooldowns.seconds = 60
    first = await fake_discord.interact(fake_discord.slash("ask", question=CEPH))
    assert not first.json["data"].get("flags", 0) & EPHEMERAL
    second = await fake_discord.interact(fake_discord.slash("ask", question=CEPH))
    assert second.json["data"]["flags"] & EPHEMERAL
    assert "try again in 60 seconds" in second.json["data"]["content"]
    other = await fake_discord.interact(fake_discord.slash("ask", member(BOB), question=CEPH))
    assert not other.json["data"].get("flags", 0) & EPHEMERAL  # per user


async def test_a_hedged_answer_is_public_quotes_first_and_offers_other_candidates(
        fake_discord: FakeDiscord, service: SummitService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    never_sure(service, monkeypatch)
    sent = await fake_discord.interact(fake_discord.slash("ask", question=TAPE))
    data = sent.json["data"]
    assert not data.get("flags", 0) & EPHEMERAL
    assert data["content"] == f"Asked: {TAPE}"  # not the caveat: that is below the quote
    assert data["allowed_mentions"] == NO_PINGS
    (embed,) = data["embeds"]
    assert embed["title"] == "Intercloud Object Storage: Colony"
    assert "tape" in embed["description"]
    names = [f["name"] for f in embed["fields"]]
    assert names[0] == "Source" and "See also" not in names
    assert names[1:] in ([HEDGE_FIELD], [HEDGE_ALONE_FIELD])
    if names[1] == HEDGE_FIELD:  # one line per other candidate, each naming where it is
        lines = embed["fields"][1]["value"].split("\n")
        assert 1 <= len(lines) <= 2 and all(line.startswith("• *") for line in lines)


async def test_a_question_holding_everyone_is_shown_escaped_and_pings_no_one(
        fake_discord: FakeDiscord) -> None:
    asked = "did the *Ceph* talk say @everyone should use CRUSH?"
    sent = await fake_discord.interact(fake_discord.slash("ask", question=asked))
    data = sent.json["data"]
    assert data["allowed_mentions"] == NO_PINGS
    assert data["content"] == "Asked: did the \\*Ceph\\* talk say @everyone should use CRUSH?"
    assert data["embeds"]


async def test_slow_answer_is_deferred_then_edited(fake_discord: FakeDiscord,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "DEFER_AFTER_SECONDS", 0.0)
    payload = fake_discord.slash("ask", question=CEPH)
    deferred = await fake_discord.interact(payload)
    assert deferred.json["type"] == 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, public
    assert not deferred.json.get("data", {}).get("flags", 0) & EPHEMERAL
    edit = await fake_discord.webhook(payload, "PATCH")
    assert edit.path.endswith("/messages/@original")
    assert edit.json["embeds"][0]["title"] == "Storing VMs with Cinder and Ceph RBD"
    assert edit.json["content"] == f"Asked: {CEPH}"
    assert edit.json["allowed_mentions"] == NO_PINGS


async def test_slow_miss_replaces_the_public_defer_with_an_ephemeral_follow_up(
        fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "DEFER_AFTER_SECONDS", 0.0)
    payload = fake_discord.slash("ask", question="what is the weather on mars tomorrow")
    await fake_discord.interact(payload)
    await fake_discord.webhook(payload, "DELETE")
    follow = await fake_discord.webhook(payload, "POST")
    assert follow.json["flags"] & EPHEMERAL
    assert follow.json["content"].startswith(DECLINE)


async def test_session_shows_details_and_opening_notes(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(fake_discord.slash("session", title="Open Compute"))
    data = sent.json["data"]
    assert not data.get("flags", 0) & EPHEMERAL
    assert data["allowed_mentions"] == NO_PINGS
    (embed,) = data["embeds"]
    assert embed["title"] == "Open Compute"
    assert "url" not in embed  # the notes give no link for this talk: the file is the source
    assert "19-inch rack" in embed["description"]
    assert "Cole Crawford" in embed["footer"]["text"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert int(fields["Passages"]) > 0


async def test_unknown_session_suggests_titles_ephemerally(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(fake_discord.slash("session", title="storage"))
    data = sent.json["data"]
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"] == NO_PINGS
    assert data["content"].startswith("No session is called “storage”; did you mean:")
    assert "Block versus Object Storage" in data["content"]


async def test_a_near_miss_title_finds_the_session(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(fake_discord.slash("session", title="Open Compote"))
    assert sent.json["data"]["embeds"][0]["title"] == "Open Compute"


async def test_unknown_session_with_nothing_close(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(
        fake_discord.slash("session", title="zzqx underwater basket weaving"))
    data = sent.json["data"]
    assert data["flags"] & EPHEMERAL
    assert data["content"].startswith("No session is called")


async def test_autocomplete_offers_at_most_25_short_choices(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(fake_discord.autocomplete("session", "title", "ceph"))
    assert sent.json["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    found = sent.json["data"]["choices"]
    assert 0 < len(found) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in found)
    assert found[0]["name"] == "Storing VMs with Cinder and Ceph RBD"

    empty = await fake_discord.interact(fake_discord.autocomplete("session", "title", ""))
    assert 0 < len(empty.json["data"]["choices"]) <= 25


async def test_sessions_pages_only_for_the_asker(fake_discord: FakeDiscord) -> None:
    payload = fake_discord.slash("sessions")
    sent = await fake_discord.interact(payload)
    data = sent.json["data"]
    assert not data.get("flags", 0) & EPHEMERAL
    assert "page 1 of 2" in data["embeds"][0]["title"]
    buttons = data["components"][0]["components"]
    previous, next_ = buttons
    assert previous["disabled"] and not next_["disabled"]

    shown = fake_discord.responses[payload["id"]]  # the message the buttons are on

    intruder = await fake_discord.interact(
        fake_discord.button(next_["custom_id"], shown, payload, member(BOB)))
    assert intruder.json["type"] == 4
    assert intruder.json["data"]["flags"] & EPHEMERAL
    assert intruder.json["data"]["content"] == NOT_YOUR_LIST

    turned = await fake_discord.interact(
        fake_discord.button(next_["custom_id"], shown, payload, member(ALICE)))
    assert turned.json["type"] == 7  # UPDATE_MESSAGE
    assert "page 2 of 2" in turned.json["data"]["embeds"][0]["title"]
    previous, next_ = turned.json["data"]["components"][0]["components"]
    assert not previous["disabled"] and next_["disabled"]


async def test_sessions_filter_without_match_is_ephemeral(fake_discord: FakeDiscord) -> None:
    sent = await fake_discord.interact(fake_discord.slash("sessions", query="zzqx"))
    data = sent.json["data"]
    assert data["flags"] & EPHEMERAL
    assert "zzqx" in data["content"]
    assert not data.get("components")


async def test_sessions_filter_fits_one_page_without_buttons(fake_discord: FakeDiscord
                                                             ) -> None:
    sent = await fake_discord.interact(fake_discord.slash("sessions", query="ceph"))
    data = sent.json["data"]
    assert "Storing VMs with Cinder and Ceph RBD" in data["embeds"][0]["description"]
    assert not data.get("components")


async def test_a_failing_command_says_one_sentence_and_logs_the_traceback(
        fake_discord: FakeDiscord, service: SummitService, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def broken(title: str) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "session", broken)
    with caplog.at_level(logging.ERROR):
        sent = await fake_discord.interact(fake_discord.slash("session", title="Open Compute"))
        await asyncio.sleep(0)
    data = sent.json["data"]
    assert data["flags"] & EPHEMERAL
    assert data["content"] == FAILURE
    assert "secret internals" not in str(sent.json)
    assert "secret internals" in caplog.text and "Traceback" in caplog.text
