"""Posts to the summit's channels and rooms: "starting soon" before talks, and what a refresh
changed in the schedule (``schedule.announce`` in the config).

One task (bot/timer.py, shared with the reminders) sleeps until the next post is due (no
polling), and is woken when a reload or a refresh changes the programme. What was posted is
remembered in a small file beside the state database, so nothing is posted twice across a
restart; a post that came due while the bot was down is still made if its talks have not
started, else dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

from bot.clock import Clock
from bot.schedule.programme import Programme, Talk, compact
from bot.schedule.timetext import clock_text
from bot.timer import IDLE_SECONDS, run_due

log = logging.getLogger(__name__)

ANNOUNCED_FILE = "announced.json"  # beside the state database
MAX_CHANGE_LINES = 15  # a change post lists this many, then "and N more"
MAX_TALK_LINES = 20  # talks in one "starting soon" post
RETRY_SECONDS = 30.0  # a post a platform did not take is tried again this much later


@runtime_checkable
class Poster(Protocol):
    """What a platform adapter offers for posts: one message to a channel or room."""

    name: str

    async def post(self, target: str, text: str) -> bool:
        """Send ``text`` (plain text: the poster escapes it for its platform, with no
        mentions allowed); False when it could not be sent."""
        ...


@dataclass(frozen=True, slots=True)
class AnnounceTarget:
    platform: str  # "discord" or "matrix"
    target: str  # a Discord channel id or a Matrix room id
    minutes_before: int = 5
    starting_soon: bool = True
    changes: bool = True
    rooms: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()

    def wants(self, talk: Talk) -> bool:
        if talk.cancelled or talk.service:
            return False
        if self.rooms and compact(talk.room or "") not in {compact(r) for r in self.rooms}:
            return False
        return not self.tracks or compact(talk.track or "") in {
            compact(t) for t in self.tracks}


class Ledger:
    """The start instant of the last talks announced to each target, kept in a file."""

    def __init__(self, path: Path | None):
        self.path = path
        self.last: dict[str, str] = {}
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    self.last = {str(k): str(v) for k, v in data.items()}

    def announced_until(self, key: str) -> datetime | None:
        value = self.last.get(key)
        try:
            return datetime.fromisoformat(value) if value else None
        except ValueError:
            return None

    def mark(self, key: str, start: datetime) -> None:
        self.last[key] = start.isoformat()
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.last, handle)
            os.replace(temp, self.path)
        except OSError as exc:
            log.warning("announcements: cannot write %s (%s); a restart may repeat the last "
                        "post", self.path, exc.strerror or exc)


def soon_text(talks: Sequence[Talk], now: datetime) -> str:
    """"Starting in 5 min (Sat 28 Dec 16:00 CET (UTC+01:00)):" and a line per talk."""
    start = talks[0].start
    minutes = max(0, round((start - now).total_seconds() / 60))
    when = "now" if minutes == 0 else f"in {minutes} min"
    lines = [f"Starting {when} ({clock_text(talks[0].local(start))}):"]
    for talk in talks[:MAX_TALK_LINES]:
        by = f" — {', '.join(talk.record.speakers)}" if talk.record.speakers else ""
        where = f" · {talk.room}" if talk.room else ""
        lines.append(f"- {talk.title}{by}{where}")
    if len(talks) > MAX_TALK_LINES:
        lines.append(f"- and {len(talks) - MAX_TALK_LINES} more")
    return "\n".join(lines)


def changes_text(changes: Sequence[str]) -> str:
    lines = ["Schedule changes:"]
    lines.extend(f"- {change}" for change in changes[:MAX_CHANGE_LINES])
    if len(changes) > MAX_CHANGE_LINES:
        lines.append(f"- and {len(changes) - MAX_CHANGE_LINES} more")
    return "\n".join(lines)


class Announcer:
    """Starting-soon and change posts for every configured target."""

    name = "announcements"

    def __init__(self, targets: Sequence[AnnounceTarget], clock: Clock,
                 posters: Sequence[Poster], ledger: Ledger,
                 programme_of: Callable[[], Programme | None]):
        self.targets = list(targets)
        self.clock = clock
        self.posters = {poster.name: poster for poster in posters}
        self.ledger = ledger
        self.programme_of = programme_of  # the serving index's programme, read each time
        self.woken = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._retry_at: dict[str, datetime] = {}  # a target that did not take its post

    def wake(self) -> None:
        """The programme may have changed (a reload or refresh): look again."""
        self.woken.set()

    def _key(self, target: AnnounceTarget) -> str:
        return f"{target.platform}:{target.target}"

    def next_due(self) -> tuple[datetime, AnnounceTarget, list[Talk]] | None:
        """The next post to make: when, where, and the talks starting together."""
        programme = self.programme_of()
        if programme is None:
            return None
        now = self.clock.now()
        best: tuple[datetime, AnnounceTarget, list[Talk]] | None = None
        for target in self.targets:
            if not target.starting_soon or target.platform not in self.posters:
                continue
            done = self.ledger.announced_until(self._key(target))
            group: list[Talk] = []
            for talk in programme.talks:  # in time order
                if talk.start <= now or (done is not None and talk.start <= done):
                    continue
                if not target.wants(talk):
                    continue
                if group and talk.start != group[0].start:
                    break
                group.append(talk)
            if not group:
                continue
            due = group[0].start - timedelta(minutes=target.minutes_before)
            retry = self._retry_at.get(self._key(target))
            if retry is not None:
                if retry >= group[0].start:
                    continue  # no time left to try again before the talks start
                due = max(due, retry)
            if best is None or due < best[0]:
                best = (due, target, group)
        return best

    async def run(self) -> None:
        """Post each "starting soon" when it is due, until cancelled (``serve`` runs
        this job beside the reminders in one task: bot/timer.py)."""
        await run_due([self])

    async def step(self) -> float:
        """Make the post that is due now, if one is; the seconds until the next."""
        found = self.next_due()
        if found is None:
            return IDLE_SECONDS
        delay = (found[0] - self.clock.now()).total_seconds()
        if delay > 0:
            return delay
        _, target, talks = found
        poster = self.posters[target.platform]
        text = soon_text(talks, self.clock.now())
        try:
            sent = await poster.post(target.target, text)
        except Exception:  # a platform's trouble never stops the announcements
            log.exception("announcements: posting to %s failed", target.target)
            sent = False
        key = self._key(target)
        if sent:
            self._retry_at.pop(key, None)
            self.ledger.mark(key, talks[0].start)  # never posted twice
            return 0.0
        # not connected yet, or refused: try again in a while, until the talks start
        # (other targets go on meanwhile)
        if self._retry_at.get(key) is None:
            log.warning("announcements: %s did not take the post of %d talk(s) at %s; "
                        "trying again until they start", target.target, len(talks),
                        talks[0].start.isoformat())
        self._retry_at[key] = self.clock.now() + timedelta(seconds=RETRY_SECONDS)
        return 0.0

    def changes(self, changes: Sequence[str]) -> None:
        """One post per refresh, to every target that wants changes."""
        if not changes:
            return
        text = changes_text(changes)
        for target in self.targets:
            poster = self.posters.get(target.platform)
            if target.changes and poster is not None:
                task = asyncio.ensure_future(self._post(poster, target.target, text))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _post(self, poster: Poster, target: str, text: str) -> None:
        try:
            if not await poster.post(target, text):
                log.warning("announcements: %s did not take the schedule changes", target)
        except Exception:
            log.exception("announcements: posting the changes to %s failed", target)
