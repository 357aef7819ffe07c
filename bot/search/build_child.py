"""The indexer child process: ``python -m bot.search.build_child '{"paths": …}'``.

A reload runs the build in a process of its own (bot/commands/reload.py starts and, if
need be, kills it), so the bot keeps answering and a build that runs wild can be stopped
without touching the serving index. Arguments come in as one JSON object; the outcome goes
out as one JSON object on stdout.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.corpus.cache import cache_path_for
from bot.corpus.limits import DEFAULT_LIMITS, ReadLimits
from bot.corpus.loader import load_corpus
from bot.oserrors import os_sentence
from bot.schedule.fetch import fetched_folder_for
from bot.schedule.sources import ScheduleSource
from bot.search.build import build_index
from bot.search.carry import sessions_from_index
from bot.search.semantic import SemanticUnavailable, load_embedder


@dataclass(slots=True)
class BuildOutcome:
    """What a build reports back (plain data, sent as JSON)."""

    ok: bool
    error: str | None = None
    sessions: int = 0
    passages: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @classmethod
    def from_json(cls, text: str | bytes) -> BuildOutcome:
        data = json.loads(text)
        for key in ("problems", "warnings"):
            data[key] = [(str(path), str(reason)) for path, reason in data[key]]
        return cls(**data)


def build_from_paths(paths: list[str], db_path: str, semantic_model: str | None = None,
                     limits: ReadLimits = DEFAULT_LIMITS,
                     schedules: Sequence[ScheduleSource] = ()) -> BuildOutcome:
    """Read the corpus and write a new index beside the old one, swapping it in only when
    at least one session could be read (an empty corpus never replaces a good index).

    A file that cannot be read now but was indexed before keeps its previous sessions, so a
    typo in one file never takes its talks out of the answers.
    """
    report = load_corpus([Path(p) for p in paths], cache=cache_path_for(Path(db_path)),
                         limits=limits, schedules=schedules,
                         fetched=fetched_folder_for(Path(db_path)))
    broken = {s.path for s in report.skipped}
    kept = sessions_from_index(Path(db_path), broken)
    kept_sources = {s.source for s in kept}
    report.sessions.extend(kept)
    problems = [(s.path, s.reason + ("; its previous version is still served"
                                     if s.path in kept_sources else ""))
                for s in report.skipped]
    warnings = [(s.path, s.reason) for s in report.warnings]
    if not report.sessions:
        where = ", ".join([*paths, *(s.shown for s in schedules)]) or "(no paths configured)"
        return BuildOutcome(ok=False, problems=problems, warnings=warnings,
                            error=f"no session notes could be read from {where}")
    try:
        embedder = load_embedder(semantic_model, now=False) if semantic_model else None
        stats = build_index(report, db_path, embedder=embedder)
    except SemanticUnavailable as exc:
        return BuildOutcome(ok=False, problems=problems, warnings=warnings, error=str(exc))
    except (OSError, sqlite3.Error) as exc:
        return BuildOutcome(ok=False, problems=problems, warnings=warnings,
                            error=os_sentence(exc, db_path, "write the index"))
    return BuildOutcome(ok=True, sessions=stats.sessions, passages=stats.passages,
                        problems=problems, warnings=warnings, seconds=stats.seconds)


def main(argv: list[str]) -> int:
    args = json.loads(argv[1])
    limits = ReadLimits(**args.get("limits", {}))
    try:
        schedules = [ScheduleSource(**s) for s in args.get("schedules", [])]
        outcome = build_from_paths(args["paths"], args["db"], args.get("semantic"), limits,
                                   schedules)
    except MemoryError:
        outcome = BuildOutcome(ok=False, error=(
            "the notes need more memory than the indexer may use (limits.indexer_memory_mb); "
            "raise it or split the largest files"))
    sys.stdout.write(json.dumps(asdict(outcome)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
