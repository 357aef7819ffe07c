"""Re-indexing the corpus off the event loop, and telling what changed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.commands.results import ReloadReport
from bot.corpus.cache import cache_path_for
from bot.corpus.loader import load_corpus
from bot.search.build import build_index, remove_stale_builds
from bot.search.carry import sessions_from_index
from bot.search.index import SessionRecord
from bot.search.semantic import SemanticUnavailable, load_embedder


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


def build_from_paths(paths: list[str], db_path: str,
                     semantic_model: str | None = None) -> BuildOutcome:
    """Read the corpus and write a new index beside the old one, swapping it in only when
    at least one session could be read (an empty corpus never replaces a good index).

    A file that cannot be read now but was indexed before keeps its previous sessions, so a
    typo in one file never takes its talks out of the answers.
    """
    report = load_corpus([Path(p) for p in paths], cache=cache_path_for(Path(db_path)))
    broken = {s.path for s in report.skipped}
    kept = sessions_from_index(Path(db_path), broken)
    kept_sources = {s.source for s in kept}
    report.sessions.extend(kept)
    problems = [(s.path, s.reason + ("; its previous version is still served"
                                     if s.path in kept_sources else ""))
                for s in report.skipped]
    warnings = [(s.path, s.reason) for s in report.warnings]
    if not report.sessions:
        where = ", ".join(paths) or "(no paths configured)"
        return BuildOutcome(ok=False, problems=problems, warnings=warnings,
                            error=f"no session notes could be read from {where}")
    try:
        embedder = load_embedder(semantic_model, now=False) if semantic_model else None
        stats = build_index(report, db_path, embedder=embedder)
    except SemanticUnavailable as exc:
        return BuildOutcome(ok=False, problems=problems, warnings=warnings, error=str(exc))
    except OSError as exc:
        return BuildOutcome(ok=False, problems=problems, warnings=warnings,
                            error=f"the index could not be written ({exc.strerror or exc})")
    return BuildOutcome(ok=True, sessions=stats.sessions, passages=stats.passages,
                        problems=problems, warnings=warnings, seconds=stats.seconds)


async def build_off_loop(paths: list[str], db_path: str,
                         semantic_model: str | None = None) -> BuildOutcome:
    """Run the build in a child process so the bot keeps answering meanwhile.

    If the awaiting task is cancelled (shutdown), the child is killed at once: its work is
    aside, so nothing is lost, and the event loop never waits on it.
    """
    # A session of its own, so that killing it takes its reader processes along.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.commands.reload",
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
    data = json.loads(out)
    for key in ("problems", "warnings"):
        data[key] = [(str(path), str(reason)) for path, reason in data[key]]
    return BuildOutcome(**data)


def _main() -> None:
    """Entry point of the indexer child process: arguments and result as JSON."""
    args = json.loads(sys.argv[1])
    outcome = build_from_paths(args["paths"], args["db"], args.get("semantic"))
    sys.stdout.write(json.dumps(asdict(outcome)))


if __name__ == "__main__":
    _main()


def diff_sessions(before: list[SessionRecord], after: list[SessionRecord],
                  report: ReloadReport) -> None:
    """Fill in which sessions were added, changed or removed (by title and file)."""
    old = {(s.title, s.source): s.fingerprint for s in before}
    new = {(s.title, s.source): s.fingerprint for s in after}
    report.added = sorted(title for (title, src) in new.keys() - old.keys())
    report.removed = sorted(title for (title, src) in old.keys() - new.keys())
    report.changed = sorted(title for key, fp in new.items()
                            for title in [key[0]] if key in old and old[key] != fp)
