"""Starting-soon and change posts: when they are due, what they say, never twice."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.clock import RunningClock, clock_from_environment
from bot.commands import SummitService
from bot.schedule.announce import Announcer, AnnounceTarget, Ledger, changes_text
from bot.schedule.programme import Programme
from tests.conftest import CORPUS
from tests.schedule.sample import write_sample


class SettableClock:
    """A clock the test moves by hand."""

    def __init__(self, iso: str):
        self.moment = datetime.fromisoformat(iso)

    def now(self) -> datetime:
        return self.moment


class Recorder:
    """A poster that keeps what it was given (in place of a chat platform)."""

    name = "discord"

    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []
        self.posted = asyncio.Event()

    async def post(self, target: str, text: str) -> bool:
        self.posts.append((target, text))
        self.posted.set()
        return True


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("announce")
    write_sample(folder / "programme")
    db = folder / "index.sqlite3"
    assert CliRunner().invoke(cli, ["index", str(folder / "programme"), "--db",
                                    str(db)]).exit_code == 0
    return db


@pytest.fixture
async def programme(tmp_path: Path, sample_index: Path) -> AsyncIterator[Programme]:
    db = tmp_path / "i.sqlite3"
    shutil.copy(sample_index, db)
    service = SummitService(db, [CORPUS])
    await service.open_existing()
    try:
        answerer = service.schedule_answerer
        assert answerer is not None
        yield answerer.programme
    finally:
        await service.close()


def announcer(programme: Programme, clock: SettableClock, ledger: Path,
              **target: object) -> tuple[Announcer, Recorder]:
    recorder = Recorder()
    options: dict[str, object] = {"platform": "discord", "target": "42", **target}
    return Announcer([AnnounceTarget(**options)], clock,  # type: ignore[arg-type]
                     [recorder], Ledger(ledger), lambda: programme), recorder


async def test_talks_starting_together_are_one_post_when_due(programme: Programme,
                                                             tmp_path: Path) -> None:
    clock = SettableClock("2030-06-01T09:50:00+02:00")
    news, recorder = announcer(programme, clock, tmp_path / "a.json")
    due = news.next_due()
    assert due is not None
    assert due[0] == datetime.fromisoformat("2030-06-01T09:55:00+02:00")
    assert [t.title for t in due[2]] == ["Storage at Scale with Ceph", "Rust for Kernel Hackers"]
    clock.moment += timedelta(minutes=5)
    task = asyncio.create_task(news.run())
    try:
        await asyncio.wait_for(recorder.posted.wait(), 5)
    finally:
        task.cancel()
    ((target, text),) = recorder.posts
    assert target == "42"
    assert text.startswith("Starting in 5 min (Sat 1 Jun 10:00 CEST (UTC+02:00)):")
    assert "- Storage at Scale with Ceph — Ada Quill · Saal 1" in text
    assert "- Rust for Kernel Hackers — Maria Ortega · Saal 2" in text
    # next: the 12:00 lunch is a break, the 13:00 talk is next (the 14:00 one is cancelled)
    following = news.next_due()
    assert following is not None and [t.title for t in following[2]] == [
        "Observability Deep Dive"]


async def test_nothing_is_posted_twice_across_a_restart(programme: Programme,
                                                        tmp_path: Path) -> None:
    ledger = tmp_path / "announced.json"
    clock = SettableClock("2030-06-01T09:56:00+02:00")
    first, recorder = announcer(programme, clock, ledger)
    task = asyncio.create_task(first.run())
    try:
        await asyncio.wait_for(recorder.posted.wait(), 5)
    finally:
        task.cancel()
    again, _ = announcer(programme, clock, ledger)
    due = again.next_due()
    assert due is not None and due[2][0].title == "Observability Deep Dive"


async def test_a_post_that_came_due_while_down_is_made_only_before_the_talks(
        programme: Programme, tmp_path: Path) -> None:
    late = SettableClock("2030-06-01T09:59:00+02:00")  # due at 09:55, talks at 10:00
    news, _ = announcer(programme, late, tmp_path / "a.json")
    due = news.next_due()
    assert due is not None and due[2][0].start.hour == 10
    started = SettableClock("2030-06-01T10:01:00+02:00")
    news, _ = announcer(programme, started, tmp_path / "b.json")
    due = news.next_due()
    assert due is not None and due[2][0].title == "Observability Deep Dive"


async def test_rooms_and_tracks_choose_the_talks(programme: Programme, tmp_path: Path) -> None:
    clock = SettableClock("2030-06-01T09:00:00+02:00")
    news, _ = announcer(programme, clock, tmp_path / "a.json", rooms=("saal 2",))
    due = news.next_due()
    assert due is not None and [t.title for t in due[2]] == ["Rust for Kernel Hackers"]
    news, _ = announcer(programme, clock, tmp_path / "b.json", tracks=("Hardware",),
                        minutes_before=15)
    due = news.next_due()
    assert due is not None and [t.title for t in due[2]] == ["Soldering Workshop"]
    assert due[0] == datetime.fromisoformat("2030-06-01T14:45:00+02:00")


async def test_changes_are_one_post_cut_with_a_count(programme: Programme,
                                                     tmp_path: Path) -> None:
    clock = SettableClock("2030-06-01T09:00:00+02:00")
    news, recorder = announcer(programme, clock, tmp_path / "a.json")
    news.changes([f"moved: Talk {n}" for n in range(20)])
    await asyncio.wait_for(recorder.posted.wait(), 5)
    ((_, text),) = recorder.posts
    assert text == changes_text([f"moved: Talk {n}" for n in range(20)])
    assert text.splitlines()[0] == "Schedule changes:" and text.endswith("- and 5 more")
    assert len(text.splitlines()) == 17


def test_summit_bot_now_starts_a_running_clock() -> None:
    clock = clock_from_environment({"SUMMIT_BOT_NOW": "2030-06-01T09:00:00+02:00"})
    assert isinstance(clock, RunningClock)
    first = clock.now()
    assert first >= datetime.fromisoformat("2030-06-01T09:00:00+02:00")
    assert clock.now() >= first
    with pytest.raises(ValueError, match="UTC offset"):
        clock_from_environment({"SUMMIT_BOT_NOW": "2030-06-01T09:00:00"})
    with pytest.raises(ValueError, match="SUMMIT_BOT_NOW"):
        clock_from_environment({"SUMMIT_BOT_NOW": "tomorrow"})
    assert type(clock_from_environment({})).__name__ == "SystemClock"


class Flaky(Recorder):
    """A platform that is not connected at first (its posts are refused)."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals
        self.refused = asyncio.Event()

    async def post(self, target: str, text: str) -> bool:
        if self.refusals:
            self.refusals -= 1
            self.refused.set()
            return False
        return await super().post(target, text)


async def test_a_refused_post_is_tried_again_without_holding_up_other_targets(
        programme: Programme, tmp_path: Path) -> None:
    clock = SettableClock("2030-06-01T09:56:00+02:00")
    flaky = Flaky(refusals=1)
    steady = Recorder()
    steady.name = "matrix"
    news = Announcer([AnnounceTarget("discord", "42"), AnnounceTarget("matrix", "!r:x")],
                     clock, [flaky, steady], Ledger(tmp_path / "a.json"), lambda: programme)
    task = asyncio.create_task(news.run())
    try:
        await asyncio.wait_for(flaky.refused.wait(), 5)
        await asyncio.wait_for(steady.posted.wait(), 5)  # the other target is not held up
        assert flaky.posts == []
        due = news.next_due()
        assert due is not None and due[1].target == "42"  # the refused one is due again…
        assert due[0] == clock.moment + timedelta(seconds=30)  # …in half a minute
        clock.moment += timedelta(seconds=31)
        news.wake()
        await asyncio.wait_for(flaky.posted.wait(), 5)
    finally:
        task.cancel()
    assert flaky.posts[0][1].startswith("Starting in 3 min")
    assert len(steady.posts) == 1  # and the other target got its post once
