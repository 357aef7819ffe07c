"""Re-indexing the corpus off the event loop, and telling what changed."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.commands.results import ReloadReport
from bot.corpus.loader import load_corpus
from bot.search.build import build_index
from bot.search.index import SessionRecord


@dataclass(slots=True)
class BuildOutcome:
    """What a build in the worker process reports back (plain data, picklable)."""

    ok: bool
    error: str | None = None
    sessions: int = 0
    passages: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def build_from_paths(paths: list[str], db_path: str) -> BuildOutcome:
    """Read the corpus and write a new index beside the old one, swapping it in only when
    at least one session could be read (an empty corpus never replaces a good index)."""
    report = load_corpus([Path(p) for p in paths])
    problems = [(s.path, s.reason) for s in report.skipped]
    warnings = [(s.path, s.reason) for s in report.warnings]
    if not report.sessions:
        where = ", ".join(paths) or "(no paths configured)"
        return BuildOutcome(ok=False, problems=problems, warnings=warnings,
                            error=f"no session notes could be read from {where}")
    try:
        stats = build_index(report, db_path)
    except OSError as exc:
        return BuildOutcome(ok=False, problems=problems, warnings=warnings,
                            error=f"the index could not be written ({exc.strerror or exc})")
    return BuildOutcome(ok=True, sessions=stats.sessions, passages=stats.passages,
                        problems=problems, warnings=warnings, seconds=stats.seconds)


async def build_off_loop(paths: list[str], db_path: str) -> BuildOutcome:
    """Run the build in a separate process so the bot keeps answering meanwhile."""
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=1,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        return await loop.run_in_executor(pool, build_from_paths, paths, db_path)


def diff_sessions(before: list[SessionRecord], after: list[SessionRecord],
                  report: ReloadReport) -> None:
    """Fill in which sessions were added, changed or removed (by title and file)."""
    old = {(s.title, s.source): s.fingerprint for s in before}
    new = {(s.title, s.source): s.fingerprint for s in after}
    report.added = sorted(title for (title, src) in new.keys() - old.keys())
    report.removed = sorted(title for (title, src) in old.keys() - new.keys())
    report.changed = sorted(title for key, fp in new.items()
                            for title in [key[0]] if key in old and old[key] != fp)
