"""Schedule announcements on Discord: the Announcer's "starting soon" and change posts,
asserted on the JSON that reaches the fake Discord, over the made-up schedule with a clock
four minutes before Saturday's 10:00 talks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.commands import SummitService
from bot.schedule.announce import Announcer, AnnounceTarget, Ledger
from tests.discord.conftest import WAIT, Bot
from tests.discord.fake_discord import CHANNEL_ID, FakeDiscord, Recorded
from tests.schedule.sample import DAY1, EVENTS, _event
from tests.schedule.service_fixtures import (
    HOSTILE_EVENTS,
    announcing,
    build_schedule_index,
)

NO_PINGS: dict[str, list[str]] = {"parse": []}
POSTS = f"/channels/{CHANNEL_ID}/messages"
BEFORE_TEN = "2030-06-01T09:56:00+02:00"  # the 10:00 talks are due (at 09:55), not started
BEFORE_ELEVEN = "2030-06-01T10:57:00+02:00"  # only the hostile 11:00 talk is due
HOSTILE_TITLE = "**Bold** Claims for @everyone and <@&1>"
QUIET = 1.0  # seconds to watch for a post that must not come

EXTRA_EVENTS = [
    _event("a0000000-0000-0000-0000-00000000020a", HOSTILE_TITLE, f"{DAY1}T11:00:00+02:00",
           "00:30", "Saal 1", speakers=("Kim Pager",), track="Operations"),
]

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture(scope="module")
def schedule_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_schedule_index(tmp_path_factory.mktemp("announce-discord"),
                                EVENTS + HOSTILE_EVENTS + EXTRA_EVENTS)


@pytest.fixture
def service(scheduled_service: SummitService) -> SummitService:
    """Replaces the notes-only service the ``bot`` fixture runs with one over the sample
    schedule (tests/conftest.py)."""
    return scheduled_service


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "announced.json"


def announcer(bot: Bot, service: SummitService, ledger: Path, now: str = BEFORE_TEN
              ) -> Announcer:
    clock = FixedClock(datetime.fromisoformat(now))
    return Announcer([AnnounceTarget("discord", str(CHANNEL_ID), minutes_before=5)], clock,
                     [bot.platform], Ledger(ledger),
                     service.programme)


def posts(fake: FakeDiscord) -> list[Recorded]:
    return [r for r in fake.matching("POST", "/messages") if r.path == POSTS]


def has_posts(fake: FakeDiscord, count: int) -> bool:
    return len(posts(fake)) == count


async def quiet_for(fake: FakeDiscord, seconds: float, count: int) -> None:
    """Nothing more than ``count`` posts reaches the channel within ``seconds``."""
    with contextlib.suppress(TimeoutError):
        await fake.wait_until(lambda: len(posts(fake)) > count, seconds)
    assert len(posts(fake)) == count, [r.json for r in posts(fake)[count:]]


@pytest.fixture
def no_stray_posts(fake_discord: FakeDiscord) -> Iterator[None]:
    """Only the announcer posts to the channel in these tests."""
    yield
    assert all(r.path == POSTS for r in fake_discord.matching("POST", "/channels/"))


async def test_starting_soon_is_posted_once_and_not_again_after_a_restart(
        bot: Bot, service: SummitService, fake_discord: FakeDiscord, ledger_path: Path,
        no_stray_posts: None) -> None:
    async with announcing(announcer(bot, service, ledger_path)) as task:
        sent = await fake_discord.wait_for(lambda r: r.method == "POST" and r.path == POSTS,
                                           WAIT)
        await quiet_for(fake_discord, QUIET, 1)  # one post for both 10:00 talks
        assert not task.done()
    content = sent.json["content"]
    lines = content.split("\n")
    assert lines[0].startswith("Starting in 4 min (Sat 1 Jun 10:00"), content
    assert len(lines) == 3, content
    # each talk is a list item: its own "- " is kept, the rest escaped
    talks = sorted(line.removeprefix("- ") for line in lines[1:])
    assert talks == ["Rust for Kernel Hackers — Maria Ortega · Saal 2",
                     "Storage at Scale with Ceph — Ada Quill · Saal 1"]
    assert sent.json["allowed_mentions"] == NO_PINGS
    assert "Observability" not in content  # not the 13:00 talks
    assert ledger_path.exists()

    # A restart: a new announcer over the same ledger file says nothing more about 10:00.
    async with announcing(announcer(bot, service, ledger_path)):
        await quiet_for(fake_discord, QUIET, 1)


async def test_a_restart_without_the_ledger_would_post_again(
        bot: Bot, service: SummitService, fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """The check above can fail: with a fresh ledger the same moment is posted anew."""
    for n in (1, 2):
        async with announcing(announcer(bot, service, tmp_path / f"ledger{n}.json")):
            await fake_discord.wait_until(partial(has_posts, fake_discord, n), WAIT)
            await quiet_for(fake_discord, 0.3, n)  # the post is answered before the stop
    assert all(r.json["content"].startswith("Starting in 4 min") for r in posts(fake_discord))


async def test_schedule_changes_are_one_post(
        bot: Bot, service: SummitService, fake_discord: FakeDiscord, ledger_path: Path,
        no_stray_posts: None) -> None:
    later = "2030-06-01T16:00:00+02:00"  # after Saturday's talks: nothing is starting soon
    news = announcer(bot, service, ledger_path, now=later)
    async with announcing(news) as task:
        news.changes([])  # nothing changed: nothing posted
        news.changes(["moved: Observability Deep Dive (Sat 1 Jun 13:00 → 15:00)",
                      "cancelled: Quantum Widgets"])
        sent = await fake_discord.wait_for(lambda r: r.method == "POST" and r.path == POSTS,
                                           WAIT)
        await quiet_for(fake_discord, QUIET, 1)
        assert not task.done()
    assert sent.json["content"].split("\n") == [
        "Schedule changes:",
        "- moved: Observability Deep Dive (Sat 1 Jun 13:00 → 15:00)",
        "- cancelled: Quantum Widgets",
    ]
    assert sent.json["allowed_mentions"] == NO_PINGS


async def test_a_hostile_title_arrives_escaped_and_pings_no_one(
        bot: Bot, service: SummitService, fake_discord: FakeDiscord, ledger_path: Path,
        no_stray_posts: None) -> None:
    async with announcing(announcer(bot, service, ledger_path, now=BEFORE_ELEVEN)):
        sent = await fake_discord.wait_for(lambda r: r.method == "POST" and r.path == POSTS,
                                           WAIT)
        await quiet_for(fake_discord, QUIET, 1)
    head, line = sent.json["content"].split("\n")
    assert head.startswith("Starting in 3 min (Sat 1 Jun 11:00")
    assert "**Bold**" not in line
    assert line == ("- \\*\\*Bold\\*\\* Claims for @everyone and <@&1> — Kim Pager · "
                    "Saal 1")
    # @everyone and the role stay as text; allowed_mentions is what keeps them silent
    assert sent.json["allowed_mentions"] == NO_PINGS
