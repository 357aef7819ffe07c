"""The state database: questions asked and votes cast, kept apart from the index.

A small SQLite file (WAL) that reloads and index rebuilds never touch. People are never
stored as themselves: user and place ids are hashed with a secret generated into the file
on first use, so the file alone does not say who asked. The text of a question is kept only
when it was asked in public; in a direct chat only its outcome is counted.

Every write happens on one worker thread and is never awaited by an answer. If the file is
locked, full, deleted or not a database, the bot keeps answering: the error is logged once
(until the file works again) and counted in ``errors``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]
T = TypeVar("T")

# Each entry takes the file from version i to i + 1 (PRAGMA user_version); a file of a
# newer version than this code knows is left alone (an error, counted, not overwritten).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE questions (
        answer_id TEXT PRIMARY KEY,
        asked_at REAL NOT NULL,          -- unix time
        platform TEXT NOT NULL,
        place TEXT,                      -- hashed guild/room, NULL in a direct chat
        asker TEXT,                      -- hashed user
        outcome TEXT NOT NULL,           -- answered | hedged | declined
        question TEXT,                   -- NULL when asked in a direct chat
        session_title TEXT,              -- of the quoted passage
        passage_id INTEGER,
        passage TEXT,                    -- the start of the quoted passage
        confidence REAL,
        nearest TEXT NOT NULL,           -- JSON: closest session titles (declines)
        alternatives TEXT NOT NULL,      -- JSON: [[title, snippet]] from other sessions
        message_ref TEXT                 -- the platform's id of the reply (Matrix reactions)
    );
    CREATE INDEX questions_by_time ON questions (asked_at);
    CREATE INDEX questions_by_message ON questions (message_ref);
    CREATE TABLE votes (
        answer_id TEXT NOT NULL,
        voter TEXT NOT NULL,             -- hashed user
        vote TEXT NOT NULL,              -- up | down
        voted_at REAL NOT NULL,
        platform TEXT NOT NULL,
        PRIMARY KEY (answer_id, voter)
    );
    """,
    # 2: personal reminders (bot/reminders). ``user`` is the platform's own id of the
    # person: the reminder cannot be delivered without it, so it is kept in this row only,
    # and the row is deleted once the reminder is sent or cancelled.
    """
    CREATE TABLE reminders (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a stale button cancels nothing
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        talk TEXT NOT NULL,              -- the talk's stable key (bot/reminders/models.py)
        title TEXT NOT NULL,
        start TEXT NOT NULL,             -- ISO 8601 with the conference's offset
        start_at REAL NOT NULL,          -- the same as unix time (the order of a list)
        finish TEXT NOT NULL,            -- when it ends (or is taken to end)
        minutes INTEGER NOT NULL,        -- how long before the start to remind
        due_at REAL NOT NULL,            -- unix time the next message is due
        room TEXT,
        url TEXT,
        zone TEXT,                       -- the conference's IANA zone
        summit TEXT,
        kind TEXT NOT NULL DEFAULT 'remind',  -- remind | cancelled | removed | moved
        ref TEXT,                        -- the nonce / transaction id it is sent with
        created_at REAL NOT NULL,
        UNIQUE (platform, user, talk)
    );
    CREATE INDEX reminders_by_due ON reminders (due_at);
    CREATE INDEX reminders_by_person ON reminders (platform, user, start_at);
    CREATE INDEX reminders_by_talk ON reminders (talk);
    CREATE TABLE reminder_events (       -- counts for the report; no one's id
        at REAL NOT NULL,
        platform TEXT NOT NULL,
        event TEXT NOT NULL              -- asked | sent | late | cancelled | notified | ...
    );
    CREATE INDEX reminder_events_by_time ON reminder_events (at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
MAX_PENDING = 1000  # writes queued behind a slow disk; past this they are dropped, counted
PASSAGE_CHARS = 300


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question as the store keeps it (raw ids are hashed on the way in)."""

    answer_id: str
    platform: str
    outcome: str
    question: str | None
    place: str | None = None
    asker: str | None = None
    session_title: str | None = None
    passage_id: int | None = None
    passage: str | None = None
    confidence: float | None = None
    nearest: tuple[str, ...] = ()
    alternatives: tuple[tuple[str, str], ...] = ()
    asked_at: float = 0.0


class StateStore:
    """The state file, used from the event loop: writes are queued, reads awaited."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.errors = 0  # failed or dropped operations since start
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-db")
        self._conn: sqlite3.Connection | None = None
        self._salt: bytes | None = None
        self._failing = False
        self._pending = 0
        self._lock = threading.Lock()

    # --- the worker thread ------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            if self.path.exists():
                return self._conn
            # deleted under us: writes would go to the unlinked file; start a new one
            log.warning("the state database %s was deleted; starting a new one", self.path)
            self._conn.close()
            self._conn = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=1.0, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"{self.path} is of a newer summit-bot (schema {version})")
            for step in range(version, SCHEMA_VERSION):
                conn.executescript(f"BEGIN; {MIGRATIONS[step]}; "
                                   f"PRAGMA user_version = {step + 1}; COMMIT;")
            row = conn.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            if row is None:
                salt = secrets.token_hex(32)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('salt', ?)", (salt,))
                row = conn.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            self._salt = bytes.fromhex(row[0])
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T | None:
        try:
            result = work(self._connect())
        except (sqlite3.Error, OSError, ValueError) as exc:
            self._fail(exc)
            return None
        if self._failing:
            self._failing = False
            log.info("the state database %s works again", self.path)
        return result

    def _fail(self, exc: BaseException) -> None:
        with self._lock:
            self.errors += 1
        if self._conn is not None:  # reopened next time: a deleted file is made anew
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        if not self._failing:
            self._failing = True
            log.warning("the state database %s failed (%s); answers go on, feedback is not "
                        "recorded and reminders are refused until it works again",
                        self.path, exc)

    def hashed(self, kind: str, raw: str) -> str:
        """A stable pseudonym for a user or place id; needs the salt (worker thread)."""
        assert self._salt is not None
        return hashlib.blake2b(f"{kind}:{raw}".encode(), key=self._salt,
                               digest_size=12).hexdigest()

    # --- called from the event loop -----------------------------------------------------
    def submit(self, work: Callable[[sqlite3.Connection], Any]) -> None:
        """Queue a write; never waits, never raises."""
        with self._lock:
            if self._pending >= MAX_PENDING:
                self.errors += 1
                return
            self._pending += 1

        def done(_: Future[Any]) -> None:
            with self._lock:
                self._pending -= 1

        try:
            self._executor.submit(self._run, work).add_done_callback(done)
        except RuntimeError:  # shut down
            done(Future())

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T | None:
        """Run a read on the worker thread; None if the database failed."""
        try:
            return await asyncio.wrap_future(self._executor.submit(self._run, work))
        except RuntimeError:  # shut down
            return None

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T | None:
        """Run a write and wait for it (a reminder is set only once it is stored); None if
        the database failed."""
        return await self.read(work)

    def flush(self) -> None:
        """Wait for queued writes (tests, shutdown)."""
        self._executor.submit(lambda: None).result()

    def close(self) -> None:
        def shut() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        with contextlib.suppress(RuntimeError):
            self._executor.submit(shut).result()
        self._executor.shutdown(wait=True)

    # --- what the bot records -----------------------------------------------------------
    def record_question(self, row: QuestionRow, raw_asker: str | None,
                        raw_place: str | None) -> None:
        def write(conn: sqlite3.Connection) -> None:
            asker = self.hashed("user", f"{row.platform}:{raw_asker}") if raw_asker else None
            place = self.hashed("place", f"{row.platform}:{raw_place}") if raw_place else None
            conn.execute(
                "INSERT OR REPLACE INTO questions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,NULL)",
                (row.answer_id, row.asked_at or time.time(), row.platform, place, asker,
                 row.outcome, row.question, row.session_title, row.passage_id,
                 (row.passage or "")[:PASSAGE_CHARS] or None, row.confidence,
                 json.dumps(list(row.nearest)),
                 json.dumps([list(a) for a in row.alternatives])))

        self.submit(write)

    def link_message(self, answer_id: str, message_ref: str) -> None:
        """Remember the platform's id of the reply that carries an answer."""
        self.submit(lambda conn: conn.execute(
            "UPDATE questions SET message_ref = ? WHERE answer_id = ?",
            (message_ref, answer_id)))

    async def answer_for_message(self, message_ref: str) -> str | None:
        def find(conn: sqlite3.Connection) -> str | None:
            found = conn.execute("SELECT answer_id FROM questions WHERE message_ref = ?",
                                 (message_ref,)).fetchone()
            return str(found[0]) if found else None

        return await self.read(find)

    async def vote(self, answer_id: str, platform: str, raw_voter: str,
                   vote: Vote) -> bool:
        """Record (or change) one person's vote on an answer; False if the answer is not
        known (or the database failed)."""
        def write(conn: sqlite3.Connection) -> bool:
            if conn.execute("SELECT 1 FROM questions WHERE answer_id = ?",
                            (answer_id,)).fetchone() is None:
                return False
            voter = self.hashed("user", f"{platform}:{raw_voter}")
            conn.execute("INSERT INTO votes VALUES (?,?,?,?,?) ON CONFLICT (answer_id, voter) "
                         "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                         (answer_id, voter, vote, time.time(), platform))
            return True

        return bool(await self.read(write))

    async def alternatives(self, answer_id: str
                           ) -> tuple[list[tuple[str, str]], list[str]] | None:
        """The other sessions' passages an answer offered, and the closest sessions."""
        def find(conn: sqlite3.Connection) -> tuple[list[tuple[str, str]], list[str]] | None:
            row = conn.execute("SELECT alternatives, nearest FROM questions "
                               "WHERE answer_id = ?", (answer_id,)).fetchone()
            if row is None:
                return None
            return [(str(t), str(s)) for t, s in json.loads(row[0])], json.loads(row[1])

        return await self.read(find)

    def purge(self, retention_days: float, now: float | None = None) -> None:
        """Forget questions (and their votes) older than the retention period."""
        cutoff = (now or time.time()) - retention_days * 86400

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN")
            conn.execute("DELETE FROM votes WHERE answer_id IN (SELECT answer_id FROM "
                         "questions WHERE asked_at < ?)", (cutoff,))
            conn.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,))
            # the reminders' counts age out too; pending reminders are never purged
            conn.execute("DELETE FROM reminder_events WHERE at < ?", (cutoff,))
            conn.execute("COMMIT")

        self.submit(write)
