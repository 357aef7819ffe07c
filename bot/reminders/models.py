"""A reminder as the bot keeps it, and the key that names a talk across refreshes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.schedule.programme import Talk

MAX_PER_PERSON = 50
MAX_MINUTES = 1440
DEFAULT_MINUTES = 10
DEFAULT_LENGTH = timedelta(minutes=30)  # a talk with no end, as the programme takes it
KEY_CHARS = 100  # an autocomplete value holds at most 100 characters (Discord)

# What a row is waiting to send: the reminder itself, or news of its talk: gone (cancelled,
# removed) or moved (a row of its own, beside the reminder).
Kind = str  # "remind" | "cancelled" | "removed" | "moved"


def talk_key(talk: Talk) -> str:
    """The talk's stable id in its schedule (titles repeat; times move), prefixed with its
    conference so two exports cannot clash; a talk without one is named by title and
    start. Hashed when longer than an autocomplete value may be."""
    slot = talk.record.slot
    uid = slot.uid if slot and slot.uid else f"{talk.title}@{talk.start.isoformat()}"
    key = f"{talk.summit}|{uid}" if talk.summit else uid
    if len(key) > KEY_CHARS:
        key = "h:" + hashlib.blake2b(key.encode(), digest_size=20).hexdigest()
    return key


@dataclass(frozen=True, slots=True)
class Reminder:
    """One pending reminder. ``user`` is the platform's own id of the person, kept only here
    and only until the reminder is sent or cancelled."""

    id: int
    platform: str
    user: str
    talk: str  # talk_key
    title: str
    start: datetime  # aware (UTC in the database)
    minutes: int
    room: str | None = None
    url: str | None = None
    zone: str | None = None  # the conference's IANA zone, for showing the time
    summit: str | None = None
    kind: Kind = "remind"
    ref: str | None = None  # the nonce / transaction id it is being sent with
    finish: datetime | None = None  # when the talk ends (or is taken to end)

    @property
    def ends(self) -> datetime:
        return self.finish if self.finish and self.finish > self.start \
            else self.start + DEFAULT_LENGTH

    @property
    def due(self) -> datetime:
        return self.start - timedelta(minutes=self.minutes)

    def local_start(self) -> datetime:
        if self.zone:
            try:
                return self.start.astimezone(ZoneInfo(self.zone))
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return self.start


def utc_seconds(moment: datetime) -> float:
    return moment.astimezone(UTC).timestamp()


def from_seconds(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
