"""A service the platform tests can run: the bundled notes beside the made-up schedule of
tests/schedule/sample.py and two talks whose titles are hostile markup, indexed by the real
CLI, on a clock set during the conference."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from bot.cli import cli
from bot.clock import FixedClock
from bot.commands import SummitService
from bot.schedule.announce import Announcer
from tests.conftest import CORPUS
from tests.schedule.sample import DAY1, DAY2, EVENTS, _event, write_sample

# Saturday 1 June 2030, 13:10 in Berlin: "Observability Deep Dive" (Saal 1) and the bold
# talk (Saal 2) started at 13:00; the cancelled "Quantum Widgets" would start at 14:00.
DURING = "2030-06-01T13:10:00+02:00"

BOLD_TITLE = "<b>Bold</b> & Co"
PING_TITLE = "Why @everyone Loves Pagers"

HOSTILE_EVENTS: list[dict[str, Any]] = [
    _event("a0000000-0000-0000-0000-00000000010a", BOLD_TITLE, f"{DAY1}T13:00:00+02:00",
           "00:50", "Saal 2", speakers=("Ren Ito",), track="Web",
           abstract="Markup <i>in</i> titles & abstracts."),
    _event("a0000000-0000-0000-0000-00000000010b", PING_TITLE, f"{DAY2}T16:00:00+02:00",
           "00:30", "Saal 1", speakers=("Kim Pager",), track="Operations",
           abstract="Ping @everyone and @here at 3am, then <@&1> for good measure."),
]


def instant(iso: str) -> int:
    """The UNIX seconds of an ISO instant with its offset (what a Discord stamp holds)."""
    return int(datetime.fromisoformat(iso).timestamp())


def build_schedule_index(folder: Path, events: list[dict[str, Any]] | None = None) -> Path:
    """``summit-bot index`` over a copy of the bundled notes and a ``schedule.json`` of
    ``events`` (default: the sample's and the hostile ones). Returns the index file; the
    notes folder is ``folder / "notes"``."""
    notes = folder / "notes"
    shutil.copytree(CORPUS, notes)
    write_sample(notes / "programme", EVENTS + HOSTILE_EVENTS if events is None else events)
    db = folder / "index.sqlite3"
    result = CliRunner().invoke(cli, ["index", str(notes), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


@asynccontextmanager
async def schedule_service(index: Path, workdir: Path, now: str = DURING
                           ) -> AsyncIterator[SummitService]:
    """A started service over a private copy of ``index`` (and of its notes), whose clock
    reads ``now``."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "index.sqlite3"
    shutil.copy(index, db)
    notes = workdir / "notes"
    shutil.copytree(index.parent / "notes", notes)
    service = SummitService(db, [notes], clock=FixedClock(datetime.fromisoformat(now)))
    await service.start()
    try:
        yield service
    finally:
        await service.close()


@asynccontextmanager
async def announcing(announcer: Announcer, wait: float = 10.0
                     ) -> AsyncIterator[asyncio.Task[None]]:
    """The announcer running as serve runs it, stopped (and checked to have kept running)
    at the end of the block."""
    task = asyncio.create_task(announcer.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, wait)
        assert task.cancelled(), "the announcer stopped by itself"
