"""Times as schedule exports write them: "HH:MM" durations, wall-clock starts, ISO 8601
instants with or without an offset, and IANA zone names.

A time without an offset is only meaningful in the conference's zone, so the helpers here
never pick one: the caller passes it, and a missing zone is the caller's error to report.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.schedule.models import ScheduleError

# Longer than a week is no session: a typo ("100:00") or minutes written as hours.
MAX_DURATION = timedelta(days=7)

_CLOCK = re.compile(r"(\d{1,6}):(\d{2})(?::(\d{2}))?")
_ISO_DURATION = re.compile(
    r"P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,6}(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE)


class BadValue(ValueError):
    """One field of one event cannot be used; the message completes "<event>: …"."""


def _kind_of(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"a true/false value ({value})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def parse_duration(value: object) -> timedelta:
    """A duration from "H:MM", "HH:MM", "HH:MM:SS", "D:HH:MM" or ISO "PT1H30M".

    Three parts are ambiguous: Pentabarf and frab pad hours ("00:05:00" is five minutes),
    while pretalx writes a day count unpadded in front ("1:02:00" is 26 hours). A single
    non-zero digit followed by an hour below 24 is read the pretalx way.
    """
    if not isinstance(value, str):
        raise BadValue(f'its duration is {_kind_of(value)}, not text like "01:30"')
    text = value.strip()
    if not text:
        raise BadValue("its duration is empty")
    if text.startswith("-"):
        raise BadValue(f"its duration {text!r} is negative")
    clock = _CLOCK.fullmatch(text)
    if clock:
        first, second, third = clock.groups()
        if third is None:
            hours, minutes, seconds = int(first), int(second), 0
        elif len(first) == 1 and first != "0" and int(second) < 24:
            hours, minutes, seconds = int(first) * 24 + int(second), int(third), 0
        else:
            hours, minutes, seconds = int(first), int(second), int(third)
        if minutes > 59 or seconds > 59:
            raise BadValue(f"its duration {text!r} is not a duration (minutes or seconds "
                           "past 59)")
        found = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    else:
        iso = _ISO_DURATION.fullmatch(text)
        if not iso or not any(iso.groups()):
            raise BadValue(f'its duration {text!r} is not a duration like "01:30"')
        weeks, days, hours_text, minutes_text, seconds_text = iso.groups()
        found = timedelta(weeks=int(weeks or 0), days=int(days or 0),
                          hours=int(hours_text or 0), minutes=int(minutes_text or 0),
                          seconds=float((seconds_text or "0").replace(",", ".")))
    if found > MAX_DURATION:
        raise BadValue(f"its duration {text!r} is longer than 7 days")
    return found


def parse_clock(value: object) -> tuple[int, time]:
    """A wall-clock "HH:MM" or "HH:MM:SS" as (extra days, time): some frab exports write
    "25:30" for half past one the next morning."""
    if not isinstance(value, str):
        raise BadValue(f'its start is {_kind_of(value)}, not a time like "14:30"')
    text = value.strip()
    clock = _CLOCK.fullmatch(text)
    if not clock:
        raise BadValue(f'its start {text!r} is not a time like "14:30"')
    hours, minutes, seconds = int(clock[1]), int(clock[2]), int(clock[3] or 0)
    if minutes > 59 or seconds > 59 or hours > 47:
        raise BadValue(f'its start {text!r} is not a time like "14:30"')
    return hours // 24, time(hours % 24, minutes, seconds)


# Outside these years a date is a typo or a placeholder ("0001-01-01", "9999-12-31"), and
# arithmetic on it (a day added, a zone applied) would overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2200
_Day = TypeVar("_Day", bound=date)


def parse_iso(value: object, what: str = "start") -> datetime | date:
    """An ISO 8601 date-time (naive, or aware with its own offset kept) or a bare date."""
    if not isinstance(value, str):
        raise BadValue(f"its {what} is {_kind_of(value)}, not an ISO 8601 date and time")
    text = value.strip()
    try:
        found = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"its {what} {text[:40]!r} is not an ISO 8601 date and time") from None
    return plausible(found, what)


def plausible(moment: _Day, what: str = "start") -> _Day:
    """``moment`` itself, or BadValue when its year is no conference's."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise BadValue(f"its {what} is in the year {moment.year}")
    return moment


def lookup_zone(name: str, where: str) -> ZoneInfo:
    """The zone for an IANA name, or a ScheduleError naming it (no nearest match is
    guessed: "europe/london" is refused, not corrected)."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(f"{where} {name.strip()[:80]!r} is not a known IANA time zone "
                            "name (such as Europe/Brussels or America/New_York)") from None


def attach(moment: datetime, zone: tzinfo) -> datetime:
    """A naive wall-clock time read in ``zone``; an aware one is returned unchanged."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
