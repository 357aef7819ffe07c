"""Reading sessions back out of an index, so that a file that breaks on reload keeps its
last good version instead of vanishing from the answers."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

from bot.corpus.models import Passage, Session, Slot
from bot.search.schema import SCHEMA_VERSION


def sessions_from_index(db: Path, sources: set[str]) -> list[Session]:
    """The sessions that came from ``sources`` in the index at ``db`` (empty if unusable)."""
    if not sources or not db.exists():
        return []
    sessions: list[Session] = []
    with contextlib.suppress(sqlite3.DatabaseError), contextlib.closing(
            sqlite3.connect(f"file:{db.resolve().as_posix()}?mode=ro", uri=True)) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if not version or version[0] != str(SCHEMA_VERSION):
            return []
        marks = ",".join("?" * len(sources))
        rows = conn.execute(
            "SELECT id, title, speakers, summit, date, track, tags, url, aliases, source, slot "
            f"FROM sessions WHERE source IN ({marks}) ORDER BY id", sorted(sources)).fetchall()
        for sid, title, speakers, summit, date, track, tags, url, aliases, source, slot in rows:
            passages = [Passage(text=text, heading=heading, position=position)
                        for position, heading, text in conn.execute(
                            "SELECT position, heading, text FROM passages WHERE session_id = ? "
                            "ORDER BY position", (sid,))]
            sessions.append(Session(
                title=title, source=source, speakers=json.loads(speakers), summit=summit,
                date=date, track=track, tags=json.loads(tags), url=url,
                aliases=json.loads(aliases), passages=passages,
                slot=Slot.of(json.loads(slot)) if slot else None))
    return sessions


def scheduled_from_index(db: Path) -> list[Session]:
    """The scheduled sessions of the index at ``db`` (title, summit and slot only), to tell
    what a rebuild changed in the schedule; empty if there is no usable index."""
    if not db.exists():
        return []
    out: list[Session] = []
    with contextlib.suppress(sqlite3.DatabaseError), contextlib.closing(
            sqlite3.connect(f"file:{db.resolve().as_posix()}?mode=ro", uri=True)) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if not version or version[0] != str(SCHEMA_VERSION):
            return []
        for title, summit, source, slot in conn.execute(
                "SELECT title, summit, source, slot FROM sessions WHERE slot IS NOT NULL"):
            out.append(Session(title=title, source=source, summit=summit,
                               slot=Slot.of(json.loads(slot))))
    return out
