"""Re-indexing the corpus off the event loop, and telling what changed.

The build itself runs in a child process (bot/search/build_child.py): this module starts
it, kills it if the reload is cancelled, and turns its outcome into a report.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path

from bot.commands.results import ReloadReport
from bot.search.build import remove_stale_builds
from bot.search.build_child import BuildOutcome
from bot.search.index import SessionRecord

__all__ = ["BuildOutcome", "build_off_loop", "diff_sessions"]


async def build_off_loop(paths: list[str], db_path: str,
                         semantic_model: str | None = None) -> BuildOutcome:
    """Run the build in a child process so the bot keeps answering meanwhile.

    If the awaiting task is cancelled (shutdown), the child is killed at once: its work is
    aside, so nothing is lost, and the event loop never waits on it.
    """
    # A session of its own, so that killing it takes its reader processes along.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.search.build_child",
        json.dumps({"paths": paths, "db": db_path, "semantic": semantic_model}),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)
    try:
        out, err = await proc.communicate()
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        remove_stale_builds(Path(db_path))  # what the killed child was writing
        raise
    if proc.returncode != 0:
        remove_stale_builds(Path(db_path))
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
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
