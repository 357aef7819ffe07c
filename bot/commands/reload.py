"""Re-indexing the corpus off the event loop, and telling what changed.

The build itself runs in a child process (bot/search/build_child.py): this module starts
it, kills it if the reload is cancelled, and turns its outcome into a report.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.commands.results import ReloadReport
from bot.corpus.limits import DEFAULT_LIMITS, ReadLimits
from bot.process import die_with_parent, too_slow
from bot.schedule.sources import ScheduleSource
from bot.search.build import remove_stale_builds
from bot.search.build_child import BuildOutcome
from bot.search.index import SessionRecord

__all__ = ["BuildOutcome", "IndexerBounds", "build_off_loop", "diff_sessions"]


@dataclass(frozen=True, slots=True)
class IndexerBounds:
    """What one build may use: what a notes file may cost, and the indexer process's memory
    ceiling and time budget."""

    read: ReadLimits = DEFAULT_LIMITS
    memory_mb: int = 2048
    seconds: float = 900.0


def _bounded_child(memory_mb: int) -> Callable[[], None]:
    parent = os.getpid()

    def setup() -> None:  # in the child, before it runs Python
        size = memory_mb * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (size, size))
        # Dies with the bot (kept across exec); a bot already gone by now: stop here.
        if die_with_parent() and os.getppid() != parent:
            os._exit(1)
    return setup


async def build_off_loop(paths: list[str], db_path: str, semantic_model: str | None = None,
                         bounds: IndexerBounds = IndexerBounds(),
                         schedules: Sequence[ScheduleSource] = ()) -> BuildOutcome:
    """Run the build in a child process so the bot keeps answering meanwhile.

    The child has a memory ceiling and a time budget; past either it is stopped and the
    reload fails with a report, the serving index untouched. If the awaiting task is
    cancelled (shutdown), the child is killed at once: its work is aside, so nothing is
    lost, and the event loop never waits on it.
    """
    args = {"paths": paths, "db": db_path, "semantic": semantic_model,
            "limits": asdict(bounds.read), "schedules": [asdict(s) for s in schedules]}
    # A session of its own, so that killing it takes its reader processes along.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.search.build_child", json.dumps(args),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True,
        preexec_fn=_bounded_child(bounds.memory_mb))
    try:
        out, err = await asyncio.wait_for(proc.communicate(), bounds.seconds)
    except (asyncio.CancelledError, TimeoutError) as stopped:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        remove_stale_builds(Path(db_path))  # what the killed child was writing
        if isinstance(stopped, asyncio.CancelledError):
            raise
        return BuildOutcome(ok=False, error=too_slow(bounds.seconds, semantic_model))
    if proc.returncode != 0:
        remove_stale_builds(Path(db_path))
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        said = err.decode(errors="replace").lower()
        if "memoryerror" in said or "memory allocation" in said or "cannot allocate" in said \
                or proc.returncode == -signal.SIGKILL:
            return BuildOutcome(ok=False, error=(
                "the indexer ran out of memory (limits.indexer_memory_mb = "
                f"{bounds.memory_mb}); raise it or split the largest files"))
        return BuildOutcome(ok=False, error=f"the indexer failed ({tail[0]})")
    return BuildOutcome.from_json(out)


def diff_sessions(before: list[SessionRecord], after: list[SessionRecord],
                  report: ReloadReport) -> None:
    """Fill in which sessions were added, changed or removed (by title and file)."""
    old = {(s.title, s.source): s.fingerprint for s in before}
    new = {(s.title, s.source): s.fingerprint for s in after}
    report.added = sorted(title for (title, src) in new.keys() - old.keys())
    report.removed = sorted(title for (title, src) in old.keys() - new.keys())
    report.changed = sorted(title for key, fp in new.items()
                            for title in [key[0]] if key in old and old[key] != fp)
