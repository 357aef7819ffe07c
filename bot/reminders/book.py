"""The reminders' rows in the state database: every read and write runs on the state
database's worker thread, and every write is awaited (a reminder is only said to be set
once it is stored; a failure is ``None``, never an exception in a command)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.feedback.store import StateStore
from bot.reminders.models import MAX_PER_PERSON, Reminder, utc_seconds

AddOutcome = Literal["added", "changed", "full"]
# A pending "your talk moved" message is a row of its own, keyed by its talk's key and this
# (one per person and talk: a second move before it is sent replaces it).
MOVED_SUFFIX = "@moved"

_COLUMNS = ("id, platform, user, talk, title, start, minutes, room, url, zone, summit, kind, "
            "ref, finish")


def _reminder(row: tuple[object, ...]) -> Reminder:
    (id_, platform, user, talk, title, start, minutes, room, url, zone, summit, kind,
     ref, finish) = row
    return Reminder(id=int(id_), platform=str(platform), user=str(user),  # type: ignore[call-overload]
                    talk=str(talk), title=str(title),
                    start=datetime.fromisoformat(str(start)),
                    minutes=int(minutes),  # type: ignore[call-overload]
                    room=room if isinstance(room, str) else None,
                    url=url if isinstance(url, str) else None,
                    zone=zone if isinstance(zone, str) else None,
                    summit=summit if isinstance(summit, str) else None,
                    kind=str(kind), ref=ref if isinstance(ref, str) else None,
                    finish=datetime.fromisoformat(str(finish)))


@dataclass(frozen=True, slots=True)
class TalkNow:
    """What the schedule now says of a talk someone is to be reminded of."""

    start: datetime
    finish: datetime
    title: str
    room: str | None
    url: str | None
    cancelled: bool


@dataclass(frozen=True, slots=True)
class Followed:
    """What following a new schedule did to the pending reminders."""

    moved: int = 0  # reminders whose talk moved (or was renamed)
    cancelled: int = 0  # reminders whose talk was cancelled or left the schedule
    talks_moved: int = 0
    talks_cancelled: int = 0


class ReminderBook:
    """Pending reminders, by person and by due time."""

    def __init__(self, store: StateStore):
        self.store = store

    async def add(self, reminder: Reminder) -> tuple[AddOutcome, int | None] | None:
        """Store one (or change the minutes of the person's reminder of the same talk);
        "full" at MAX_PER_PERSON. With the outcome, the minutes the person had before
        (a change), so a change that cannot be confirmed can be put back. ``reminder.id``
        is ignored."""
        r = reminder

        def write(conn: sqlite3.Connection) -> tuple[AddOutcome, int | None]:
            conn.execute("BEGIN IMMEDIATE")
            try:
                known = conn.execute(
                    "SELECT minutes FROM reminders WHERE platform = ? AND user = ? "
                    "AND talk = ? AND kind = 'remind'", (r.platform, r.user, r.talk)
                ).fetchone()
                if known is None:
                    (count,) = conn.execute(
                        "SELECT count(*) FROM reminders WHERE platform = ? AND user = ? "
                        "AND kind = 'remind'", (r.platform, r.user)).fetchone()
                    if count >= MAX_PER_PERSON:
                        conn.execute("ROLLBACK")
                        return "full", None
                conn.execute(
                    "INSERT INTO reminders (platform, user, talk, title, start, start_at, "
                    "finish, minutes, due_at, room, url, zone, summit, kind, ref, "
                    "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'remind',NULL,?) "
                    "ON CONFLICT (platform, user, talk) DO UPDATE SET "
                    "minutes = excluded.minutes, due_at = excluded.due_at, "
                    "title = excluded.title, start = excluded.start, "
                    "start_at = excluded.start_at, finish = excluded.finish, "
                    "room = excluded.room, url = excluded.url, kind = 'remind', ref = NULL",
                    (r.platform, r.user, r.talk, r.title, r.start.isoformat(),
                     utc_seconds(r.start), r.ends.isoformat(), r.minutes, utc_seconds(r.due),
                     r.room, r.url, r.zone, r.summit, time.time()))
                if known is None:
                    conn.execute("INSERT INTO reminder_events VALUES (?,?,'asked')",
                                 (time.time(), r.platform))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return ("added", None) if known is None else ("changed", int(known[0]))

        return await self.store.write(write)

    async def of_person(self, platform: str, user: str) -> list[Reminder] | None:
        """A person's pending reminders, soonest talk first."""
        def read(conn: sqlite3.Connection) -> list[Reminder]:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM reminders WHERE platform = ? AND user = ? "
                "AND kind = 'remind' ORDER BY start_at, title", (platform, user)).fetchall()
            return [_reminder(row) for row in rows]

        return await self.store.read(read)

    async def cancel(self, platform: str, user: str, reminder_id: int
                     ) -> tuple[Reminder | None] | None:
        """Delete one of the person's reminders (no one else's): ``(the one deleted,)``,
        ``(None,)`` when it is not (or no longer) pending, None when the database failed."""
        def write(conn: sqlite3.Connection) -> tuple[Reminder | None]:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    f"SELECT {_COLUMNS} FROM reminders WHERE id = ? AND platform = ? "
                    "AND user = ? AND kind = 'remind'", (reminder_id, platform, user)
                ).fetchone()
                if row is not None:
                    conn.execute("DELETE FROM reminders WHERE id = ?", (reminder_id,))
                    conn.execute("DELETE FROM reminders WHERE platform = ? AND user = ? "
                                 "AND talk = ? AND kind = 'moved'",
                                 (platform, user, str(row[3]) + MOVED_SUFFIX))
                    conn.execute("INSERT INTO reminder_events VALUES (?,?,'cancelled')",
                                 (time.time(), platform))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return (_reminder(row) if row is not None else None,)

        return await self.store.write(write)

    async def withdraw(self, reminder: Reminder, event: str) -> bool:
        """Delete the person's reminder of this talk (its confirmation could not be sent)."""
        r = reminder

        def write(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM reminders WHERE platform = ? AND user = ? AND talk = ?",
                         (r.platform, r.user, r.talk))
            conn.execute("INSERT INTO reminder_events VALUES (?,?,?)",
                         (time.time(), r.platform, event))
            return True

        return bool(await self.store.write(write))

    async def next_due(self) -> float | None:
        """The unix time the next message is due, or None when nothing is pending."""
        def read(conn: sqlite3.Connection) -> float | None:
            (due,) = conn.execute("SELECT min(due_at) FROM reminders").fetchone()
            return float(due) if due is not None else None

        return await self.store.read(read)

    async def due(self, now: datetime, limit: int = 200) -> list[Reminder] | None:
        """Rows whose message is due at ``now``, soonest first."""
        def read(conn: sqlite3.Connection) -> list[Reminder]:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM reminders WHERE due_at <= ? "
                "ORDER BY due_at LIMIT ?", (utc_seconds(now), limit)).fetchall()
            return [_reminder(row) for row in rows]

        return await self.store.read(read)

    async def set_ref(self, reminder_id: int, ref: str) -> bool:
        """Keep the id a message is about to be sent with, before it is sent: sent again
        after a crash, the platform sees the same id and keeps one."""
        def write(conn: sqlite3.Connection) -> bool:
            return conn.execute("UPDATE reminders SET ref = ? WHERE id = ?",
                                (ref, reminder_id)).rowcount == 1

        return bool(await self.store.write(write))

    async def done(self, reminder: Reminder, event: str, ref: str | None) -> bool | None:
        """Delete a row whose message was sent (or given up on), counting ``event``; only
        if it is still the attempt made with ``ref`` (a change or cancel meanwhile re-armed
        or removed it). False when it was not; None when the database failed."""
        def write(conn: sqlite3.Connection) -> bool:
            conn.execute("BEGIN IMMEDIATE")
            try:
                gone = conn.execute("DELETE FROM reminders WHERE id = ? AND ref IS ?",
                                    (reminder.id, ref)).rowcount == 1
                if gone:
                    conn.execute("INSERT INTO reminder_events VALUES (?,?,?)",
                                 (time.time(), reminder.platform, event))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return gone

        return await self.store.write(write)

    async def retry_at(self, reminder: Reminder, ref: str | None, when: datetime) -> bool:
        """Try this attempt again at ``when`` (unless the row changed meanwhile)."""
        def write(conn: sqlite3.Connection) -> bool:
            return conn.execute("UPDATE reminders SET due_at = ? WHERE id = ? AND ref IS ?",
                                (utc_seconds(when), reminder.id, ref)).rowcount == 1

        return bool(await self.store.write(write))

    async def pending(self) -> int | None:
        def read(conn: sqlite3.Connection) -> int:
            return int(conn.execute("SELECT count(*) FROM reminders").fetchone()[0])

        return await self.store.read(read)

    async def follow(self, talks: Mapping[str, TalkNow], conferences: Iterable[str | None],
                     now: datetime) -> Followed | None:
        """Move the reminders of talks that moved; turn those of talks cancelled, or gone
        from a conference still in the schedule, into one message saying so, due now."""
        present = set(conferences)
        now_seconds = utc_seconds(now)

        def write(conn: sqlite3.Connection) -> Followed:
            moved = cancelled = talks_moved = talks_cancelled = 0
            conn.execute("BEGIN IMMEDIATE")
            try:
                # every distinct state any row of a talk is in (one set again since a
                # refresh holds the new facts already; the others must still move)
                held: dict[str, list[tuple[object, ...]]] = {}
                summits: dict[str, object] = {}
                for talk, summit, *facts in conn.execute(
                        "SELECT DISTINCT talk, summit, start, finish, title, room, url "
                        "FROM reminders WHERE kind = 'remind'"):
                    held.setdefault(talk, []).append(tuple(facts))
                    summits[talk] = summit
                for talk, states in held.items():
                    summit = summits[talk]
                    new = talks.get(talk)
                    if new is None and summit not in present:
                        continue  # its whole conference is gone: an export failing, not news
                    if new is None or new.cancelled:
                        kind = "removed" if new is None else "cancelled"
                        changed = conn.execute(
                            "UPDATE reminders SET kind = ?, due_at = ?, ref = NULL "
                            "WHERE talk = ? AND kind = 'remind'",
                            (kind, now_seconds, talk)).rowcount
                        conn.execute("DELETE FROM reminders WHERE talk = ? AND kind = 'moved'",
                                     (talk + MOVED_SUFFIX,))  # news of a move now moot
                        cancelled += changed
                        talks_cancelled += 1
                        continue
                    start, finish = new.start.isoformat(), new.finish.isoformat()
                    if all(state[:4] == (start, finish, new.title, new.room)
                           and (new.url is None or state[4] == new.url) for state in states):
                        continue
                    # a new time or room is news: one message to each person (a second
                    # move before it is sent replaces it); a renamed title is not
                    conn.execute(
                        "INSERT INTO reminders (platform, user, talk, title, start, start_at, "
                        "finish, minutes, due_at, room, url, zone, summit, kind, ref, "
                        "created_at) SELECT platform, user, talk || ?, ?, ?, ?, ?, minutes, "
                        "?, ?, coalesce(?, url), zone, summit, 'moved', NULL, ? "
                        "FROM reminders WHERE talk = ? AND kind = 'remind' "
                        "AND (start IS NOT ? OR room IS NOT ?) "
                        "ON CONFLICT (platform, user, talk) DO UPDATE SET "
                        "title = excluded.title, start = excluded.start, "
                        "start_at = excluded.start_at, finish = excluded.finish, "
                        "due_at = excluded.due_at, room = excluded.room, url = excluded.url, "
                        "ref = NULL",
                        (MOVED_SUFFIX, new.title, start, utc_seconds(new.start), finish,
                         now_seconds, new.room, new.url, time.time(), talk, start, new.room))
                    changed = conn.execute(
                        "UPDATE reminders SET start = ?, start_at = ?, finish = ?, title = ?, "
                        "room = ?, url = coalesce(?, url), due_at = ? - minutes * 60 "
                        "WHERE talk = ? AND kind = 'remind' AND (start IS NOT ? "
                        "OR finish IS NOT ? OR title IS NOT ? OR room IS NOT ? "
                        "OR (? IS NOT NULL AND url IS NOT ?))",
                        (start, utc_seconds(new.start), finish, new.title, new.room, new.url,
                         utc_seconds(new.start), talk, start, finish, new.title, new.room,
                         new.url, new.url)).rowcount
                    if changed:
                        moved += changed
                        talks_moved += 1
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return Followed(moved, cancelled, talks_moved, talks_cancelled)

        return await self.store.write(write)

