"""Schedule announcements on Matrix, against a real Synapse: the Announcer posts its
"starting soon" as an m.notice to a room the bot is in, and a room it is not in is refused
without stopping it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.commands import SummitService
from bot.platforms.matrix.client import MatrixPlatform
from bot.schedule.announce import Announcer, AnnounceTarget, Ledger
from tests.matrix.conftest import BotFactory, Person, joined_room, wait_until
from tests.schedule.service_fixtures import announcing

People = Callable[[str], Awaitable[Person]]
BEFORE_TEN = "2030-06-01T09:56:00+02:00"  # Saturday's 10:00 talks are due, not started
WAIT = 20.0
QUIET = 1.5  # seconds to watch for a post that must not come


@pytest.fixture
def service(scheduled_service: SummitService) -> SummitService:
    """Replaces the notes-only service ``start_bot`` runs with one over the sample
    schedule (tests/conftest.py)."""
    return scheduled_service



def announcer(bot: MatrixPlatform, service: SummitService, ledger: Path,
              *rooms: str) -> Announcer:
    clock = FixedClock(datetime.fromisoformat(BEFORE_TEN))
    return Announcer([AnnounceTarget("matrix", room, minutes_before=5) for room in rooms],
                     clock, [bot], Ledger(ledger), service.programme)


async def notices(alice: Person, room_id: str, bot_id: str) -> list[dict[str, Any]]:
    return [e["content"] for e in await alice.replies_from(room_id, bot_id)]


async def test_starting_soon_is_one_notice_in_a_joined_room_and_an_unjoined_room_is_refused(
        start_bot: BotFactory, person: People, service: SummitService, tmp_path: Path
        ) -> None:
    bot = await start_bot()
    bot_id = bot.client.user_id
    alice = await person("alice")
    room_id = await joined_room(alice, bot)
    elsewhere = await alice.create_room(invite=[])  # the bot was never asked in
    assert elsewhere not in bot.client.rooms

    # posting where the bot is not is refused, not raised
    assert await bot.post(elsewhere, "hello") is False
    assert await bot.post("!nosuchroom:localhost", "hello") is False

    ledger = tmp_path / "announced.json"
    # the room the bot is not in comes first: its refusal must not stop the other post
    async with announcing(announcer(bot, service, ledger, elsewhere, room_id)) as task:
        async def posted() -> bool:
            return bool(await notices(alice, room_id, bot_id))

        await wait_until(posted, WAIT)
        deadline = time.monotonic() + QUIET
        while time.monotonic() < deadline:  # and only one
            assert len(await notices(alice, room_id, bot_id)) == 1
            await asyncio.sleep(0.3)
        assert not task.done()

    (content,) = await notices(alice, room_id, bot_id)
    assert content["msgtype"] == "m.notice"
    head, *talks = content["body"].split("\n")
    assert head == "Starting in 4 min (Sat 1 Jun 10:00 CEST (UTC+02:00)):"
    assert sorted(talks) == ["- Rust for Kernel Hackers — Maria Ortega · Saal 2",
                             "- Storage at Scale with Ceph — Ada Quill · Saal 1"]
    assert content.get("m.mentions", {}) == {}
    assert "m.relates_to" not in content  # a post of its own, not a reply
    # nothing reached the room the bot is not in
    assert not [e for e in await alice.messages(elsewhere) if e.get("sender") == bot_id]
    # both targets are marked done, so a restart repeats neither
    # the joined room's post is remembered; the other is tried again until the talks start
    assert set(Ledger(ledger).last) == {f"matrix:{room_id}"}
