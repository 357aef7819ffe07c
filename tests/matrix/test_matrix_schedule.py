"""!now, !speaker and schedule questions on Matrix, against a real Synapse, over the
made-up schedule (beside the bundled notes) on a clock set during the conference."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.commands import SummitService
from tests.matrix.conftest import BotFactory, Person, wait_until
from tests.schedule.service_fixtures import BOLD_TITLE

People = Callable[[str], Awaitable[Person]]
# How the conference's zone is written after a time: Berlin in summer.
ZONE = "CEST (UTC+02:00)"


@pytest.fixture
def service(scheduled_service: SummitService) -> SummitService:
    """Replaces the notes-only service ``start_bot`` runs with one over the sample
    schedule (tests/conftest.py)."""
    return scheduled_service


async def room_with_bot(alice: Person, bot_id: str, *, direct: bool = False) -> str:
    room_id = await alice.create_room(invite=[bot_id], direct=direct)

    async def joined() -> bool:
        return bot_id in await alice.members(room_id)

    await wait_until(joined)
    return room_id


async def ask(alice: Person, room_id: str, bot_id: str, body: str) -> dict[str, Any]:
    """Send ``body`` and return the content of the bot's reply to it."""
    asked = await alice.send(room_id, body)
    reply = await alice.reply_to(room_id, asked, bot_id)
    content: dict[str, Any] = reply["content"]
    assert content["msgtype"] == "m.notice"
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": asked}}
    assert content["m.mentions"] == {}
    assert content["format"] == "org.matrix.custom.html"
    return content


async def test_now_lists_the_running_talks_with_zoned_times_and_escaped_titles(
        start_bot: BotFactory, person: People) -> None:
    bot = await start_bot()
    bot_id = bot.client.user_id
    alice = await person("alice")
    room_id = await room_with_bot(alice, bot_id)

    everywhere = await ask(alice, room_id, bot_id, "!now")
    head, observability, bold = everywhere["body"].split("\n")
    assert head == "On now:"
    assert observability == ("- Observability Deep Dive — Ada Quill, Tom Reyes · Sat 1 Jun "
                             f"13:00 {ZONE}–13:40 · started 10 min ago · Saal 1")
    assert bold.startswith(f"- {BOLD_TITLE} — Ren Ito · Sat 1 Jun 13:00 {ZONE}–13:50")
    assert bold.endswith("· Saal 2")
    html = everywhere["formatted_body"]
    assert html.startswith("<b>On now:</b><ul><li>Observability Deep Dive — ")
    assert "<li>&lt;b&gt;Bold&lt;/b&gt; &amp; Co — Ren Ito · Sat 1 Jun 13:00" in html
    assert "<b>Bold</b>" not in html
    assert html.count("<li>") == 2 and "Quantum Widgets" not in html

    in_room = await ask(alice, room_id, bot_id, "!now Saal 1")
    assert in_room["body"] == ("On now in Saal 1:\n- Observability Deep Dive — Ada Quill, "
                               f"Tom Reyes · Sat 1 Jun 13:00 {ZONE}–13:40 · started 10 min "
                               "ago · Saal 1")
    assert "Bold" not in in_room["formatted_body"]


async def test_speaker_lists_her_talks(start_bot: BotFactory, person: People) -> None:
    bot = await start_bot()
    bot_id = bot.client.user_id
    alice = await person("alice")
    room_id = await room_with_bot(alice, bot_id)
    content = await ask(alice, room_id, bot_id, "!speaker Ada Quill")
    head, ceph, observability = content["body"].split("\n")
    assert head == "Ada Quill's talks:"
    assert ceph.startswith("- Storage at Scale with Ceph — Ada Quill · Sat 1 Jun 10:00 "
                           f"{ZONE}–10:45 · ended")
    assert observability.startswith("- Observability Deep Dive — Ada Quill, Tom Reyes · "
                                    f"Sat 1 Jun 13:00 {ZONE}–13:40")
    html = content["formatted_body"]
    assert html.startswith("<b>Ada Quill&#x27;s talks:</b><ul>")
    assert html.count("<li>") == 2

    nobody = await ask(alice, room_id, bot_id, "!speaker Nobody Here")
    assert nobody["body"].startswith("No speaker called “Nobody Here” is in the schedule.")


async def test_a_question_with_a_mention_or_in_a_direct_chat_is_answered_from_the_schedule(
        start_bot: BotFactory, person: People) -> None:
    bot = await start_bot()
    bot_id = bot.client.user_id
    alice = await person("alice")
    room_id = await room_with_bot(alice, bot_id)
    question = "when is the ceph storage talk?"
    mentioned = await ask(alice, room_id, bot_id, f"{bot_id}: {question}")
    dm = await room_with_bot(alice, bot_id, direct=True)
    direct = await ask(alice, dm, bot_id, question)
    for content in (mentioned, direct):
        lines = content["body"].split("\n")
        assert lines[0] == "Storage at Scale with Ceph"  # the schedule's talk, not notes
        assert lines[1] == "Ada Quill · Test Summit 2030 · Storage"
        assert lines[2].startswith(f"Sat 1 Jun 10:00 {ZONE}–10:45 · ended ")
        assert lines[2].endswith(" · Saal 1")
        assert "https://pretalx.example.org/tsum/talk/000101/" in lines
        assert "> How CRUSH places objects without a central table." in lines
        html = content["formatted_body"]
        assert html.startswith("<b>Storage at Scale with Ceph</b><br/>")
        assert "<blockquote>How CRUSH places objects without a central table." in html

    unsure = await ask(alice, dm, bot_id, "when is the observability storage talk?")
    assert unsure["body"].startswith("Perhaps:\nStorage at Scale with Ceph\n")
    html = unsure["formatted_body"]
    assert html.startswith("<i>Perhaps:</i><br/><b>Storage at Scale with Ceph</b><br/>")
    # the abstract is quoted under its own talk, before the other talk offered
    quote = html.index("<blockquote>How CRUSH places objects")
    assert quote < html.index("Or: Observability Deep Dive") and "</ul>" not in html
