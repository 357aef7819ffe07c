"""What the readers made of each notes file, kept so that unchanged files are not read again.

Re-indexing mostly follows a small edit, and parsing (docutils above all) is most of the
time an index takes. A file is looked up by a digest of its bytes, its place in the corpus
and the readers' own code and libraries, so a changed file, a moved one or a new version
of the readers is read afresh. The cache is a small SQLite file beside the index; any
trouble with it (locked, corrupt, read-only folder) only means files are read again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import asdict
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.corpus.models import Passage, Session, Slot

Outcome = tuple[list[Session], list[str]] | str  # sessions and warnings, or why not
KEEP_DAYS = 30  # entries not used for this long are dropped
_LIBRARIES = ("docutils", "markdown-it-py", "python-frontmatter", "PyYAML", "faker")


@cache
def readers_version() -> str:
    """A digest of the readers' code and the parsing libraries' versions."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    for name in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{name}={metadata.version(name)}".encode())
    return digest.hexdigest()


def file_key(raw: bytes, source: str, stem: str) -> str:
    """The cache key of one file's bytes at its place in the corpus."""
    digest = hashlib.sha256(readers_version().encode())
    digest.update(f"\0{source}\0{stem}\0".encode())
    digest.update(raw)
    return digest.hexdigest()


def _dump(outcome: Outcome) -> str:
    if isinstance(outcome, str):
        return json.dumps({"error": outcome})
    sessions, warnings = outcome
    return json.dumps({"sessions": [asdict(s) for s in sessions], "warnings": warnings})


def _load(text: str) -> Outcome:
    data: dict[str, Any] = json.loads(text)
    if "error" in data:
        return str(data["error"])
    sessions = []
    for item in data["sessions"]:
        passages = [Passage(**p) for p in item.pop("passages")]
        slot = Slot.of(item.pop("slot", None))
        sessions.append(Session(**item, passages=passages, slot=slot))
    return sessions, [str(w) for w in data["warnings"]]


class ReaderCache:
    """Outcomes by key in a SQLite file; every method fails soft to "not cached"."""

    def __init__(self, path: Path):
        self.path = path
        self._conn: sqlite3.Connection | None = None
        with contextlib.suppress(sqlite3.Error, OSError):
            conn = sqlite3.connect(path, timeout=1.0)
            conn.execute("CREATE TABLE IF NOT EXISTS outcomes (key TEXT PRIMARY KEY, "
                         "outcome TEXT NOT NULL, used REAL NOT NULL)")
            self._conn = conn

    def get_many(self, keys: Iterable[str]) -> dict[str, Outcome]:
        wanted = sorted(set(keys))
        found: dict[str, Outcome] = {}
        if self._conn is None or not wanted:
            return found
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for key, text in self._conn.execute(
                        f"SELECT key, outcome FROM outcomes WHERE key IN ({marks})", chunk):
                    with contextlib.suppress(ValueError, TypeError, KeyError):
                        found[key] = _load(text)
            with self._conn:
                self._conn.executemany("UPDATE outcomes SET used = ? WHERE key = ?",
                                       [(time.time(), k) for k in found])
        except sqlite3.Error:
            return {}
        return found

    def put_many(self, outcomes: dict[str, Outcome]) -> None:
        if self._conn is None:
            return
        now = time.time()
        with contextlib.suppress(sqlite3.Error), self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO outcomes (key, outcome, used) VALUES (?, ?, ?)",
                [(key, _dump(outcome), now) for key, outcome in outcomes.items()])
            self._conn.execute("DELETE FROM outcomes WHERE used < ?",
                               (now - KEEP_DAYS * 86400,))

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None


def cache_path_for(index: Path) -> Path:
    """Where the reader cache of an index lives: beside it, hidden."""
    return index.with_name(f".{index.name}.readers")
