"""One reader per export format, and what they share: the conference's zone, the event
limit, and warnings that name the event and stay few.

Each format module has ``read(raw, context) -> Parsed``. It turns the file's own fields
into ``ScheduleEvent``s; the rules that hold for every format (cancelled titles, service
types, duplicate ids, dates outside the conference) are applied once, in the reader.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from bot.corpus.text import one_line
from bot.schedule.limits import ScheduleLimits
from bot.schedule.models import ScheduleError, ScheduleEvent
from bot.schedule.timeparse import BadValue, attach, lookup_zone, parse_duration, parse_iso

# Past this many, event warnings are counted, not listed: a broken export would otherwise
# bury the admin in a thousand sentences saying the same thing.
MAX_EVENT_WARNINGS = 10


@dataclass(slots=True)
class Parsed:
    """What a format reader found, before the shared rules."""

    format: str
    title: str | None = None
    acronym: str | None = None  # "rc3-2021": the name when neither file nor config has one
    events: list[ScheduleEvent] = field(default_factory=list)
    days: list[date] = field(default_factory=list)  # the file's own conference dates


class Context:
    """The per-file state every format reader needs."""

    def __init__(self, source: str, timezone: str | None, limits: ScheduleLimits,
                 companion: Callable[[str], bytes | None] | None = None) -> None:
        self.source = source
        self.limits = limits
        self.companion = companion
        self.warnings: list[str] = []
        self.event_warnings: list[str] = []
        self.more_event_warnings = 0
        self.config_zone_name = timezone.strip() if timezone else None
        self.zone: tzinfo | None = (lookup_zone(timezone, "the config's `timezone:`")
                                    if timezone else None)
        self.zone_name = self.config_zone_name
        self.file_zone_name: str | None = None
        self.events_seen = 0
        self.made_ids: dict[str, int] = {}

    def use_file_zone(self, name: object, where: str = "its time zone") -> None:
        """The file's own zone wins over the config's: the file knows where it was held."""
        if name is None or name == "":
            return
        if not isinstance(name, str):
            raise ScheduleError(f"{where} is not text but {type(name).__name__}; fix or "
                                "remove it and set `timezone:` for this source in the config")
        zone = lookup_zone(name, where)
        name = name.strip()
        if self.config_zone_name and self.config_zone_name != name:
            self.warn(f"its own time zone {name} is used for times without a UTC offset, "
                      f"not the config's {self.config_zone_name}")
        self.zone, self.zone_name, self.file_zone_name = zone, name, name

    def localize(self, moment: datetime) -> datetime:
        """An aware instant: a naive time is read in the conference's zone, never guessed."""
        if moment.tzinfo is not None:
            return moment
        if self.zone is None:
            raise ScheduleError("it has times without a UTC offset and no time zone of its "
                                "own; set `timezone:` for this source in the config (e.g. "
                                "Europe/London)")
        return attach(moment, self.zone)

    def warn(self, sentence: str) -> None:
        """A problem with the whole file (always listed)."""
        self.warnings.append(sentence)

    def warn_event(self, sentence: str) -> None:
        """A problem with one event: the first few are listed, the rest counted."""
        if len(self.event_warnings) < MAX_EVENT_WARNINGS:
            self.event_warnings.append(sentence)
        else:
            self.more_event_warnings += 1

    def all_warnings(self) -> list[str]:
        found = self.warnings + self.event_warnings
        if self.more_event_warnings:
            found.append(f"and {self.more_event_warnings:,} more problems with single events "
                         "like those above")
        return found

    def count_event(self) -> None:
        """Refuse the file as soon as it holds more events than a schedule may."""
        self.events_seen += 1
        if self.events_seen > self.limits.max_events:
            raise ScheduleError(f"it holds more than {self.limits.max_events:,} events (the "
                                "limit is limits.max_schedule_events); split it or raise "
                                "the limit")

    def made_id(self, *parts: object) -> str:
        """An id for an event the export gave none: from what it says, so it is stable
        across exports; a repeat gets a suffix, so two such events are never merged."""
        digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:12]
        seen = self.made_ids.get(digest, 0) + 1
        self.made_ids[digest] = seen
        return f"made-{digest}" if seen == 1 else f"made-{digest}-{seen}"


def label(title: str, uid: str | None = None) -> str:
    """How a warning names an event: “Title” (id 123)."""
    shown = title if len(title) <= 60 else title[:57] + "…"
    return f"“{shown}”" + (f" (id {uid})" if uid else "")


def text_of(value: object) -> str | None:
    """A field's text, whitespace collapsed; numbers as written; anything else is None."""
    if isinstance(value, str):
        return one_line(value) or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def raw_text(value: object) -> str:
    """A long text field (abstract, bio) as given, or "" when it is not text."""
    return value if isinstance(value, str) else ""


def end_from(start: datetime | None, duration: object, name: str,
             context: Context) -> datetime | None:
    """start + duration, or None with a warning when the duration is unusable."""
    if duration is None or duration == "":
        return None
    try:
        length = parse_duration(duration)
    except BadValue as exc:
        context.warn_event(f"{name}: {exc}; its end was left empty")
        return None
    return start + length if start is not None else None


def checked_end(start: datetime | None, end: datetime | None, name: str,
                context: Context) -> datetime | None:
    """An end before its start, or more than a week after it, is dropped with a warning."""
    if start is None or end is None:
        return end
    if end < start:
        context.warn_event(f"{name}: it ends ({end.isoformat()}) before it starts "
                           f"({start.isoformat()}); its end was left empty")
        return None
    if end - start > timedelta(days=7):
        context.warn_event(f"{name}: it lasts longer than 7 days; its end was left empty")
        return None
    return end


def instant_of(value: object, what: str, name: str, context: Context) -> datetime | None:
    """An ISO 8601 date-time field of an event (its own offset, else the conference's
    zone); a bad value or a bare date is one warning, and no instant. Nothing given: none."""
    if value in (None, ""):
        return None
    try:
        found = parse_iso(value, what)
    except BadValue as exc:
        context.warn_event(f"{name}: {exc}")
        return None
    if not isinstance(found, datetime):
        context.warn_event(f"{name}: its {what} is a date without a time")
        return None
    return context.localize(found)


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
