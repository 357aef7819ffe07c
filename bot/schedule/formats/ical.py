"""iCalendar ``.ics`` exports (pretalx, Sched, Google Calendar, hand-made), read with the
``icalendar`` library and repeating events expanded with ``recurring_ical_events``.

A time with a TZID (resolved through its VTIMEZONE) or in UTC is an instant as it is. A
floating time is in the conference's zone: X-WR-TIMEZONE, else the config's; never
guessed. An all-day (DATE) event is kept from midnight to midnight in that zone rather
than dropped: a day-long hackathon or "Expo hall open" is something attendees ask about.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

import icalendar
import recurring_ical_events

from bot.corpus.text import one_line
from bot.process import TimeUp
from bot.schedule.clean import clean_abstract
from bot.schedule.formats import Context, Parsed, checked_end, label, text_of
from bot.schedule.models import ScheduleError, ScheduleEvent
from bot.schedule.timeparse import lookup_zone, plausible

# Repeating events with no other event to bound them are expanded this far.
LONE_SERIES_SPAN = timedelta(days=31)
_REPEATS = ("RRULE", "RDATE")


def read(raw: bytes, context: Context) -> Parsed:
    try:
        calendars = icalendar.Calendar.from_ical(raw.lstrip(b"\xef\xbb\xbf \t\r\n"),
                                                 multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ScheduleError(f"it is not a valid iCalendar file ({str(exc)[:80]}); re-export "
                            "it") from None
    calendars = [c for c in calendars if getattr(c, "name", "") == "VCALENDAR"]
    if not calendars:
        raise ScheduleError("it is not a complete iCalendar file (no BEGIN:VCALENDAR … "
                            "END:VCALENDAR); re-export it")
    parsed = Parsed("ical")
    for calendar in calendars:
        parsed.title = parsed.title or text_of(str(calendar.get("X-WR-CALNAME", "")))
        _use_zone(calendar, context)
    all_day = 0
    for calendar in calendars:
        all_day += _read_calendar(calendar, parsed, context)
    if all_day:
        context.warn(f"{all_day} all-day event{'s were' if all_day > 1 else ' was'} kept "
                     "from midnight to midnight in the conference's time zone")
    return parsed


def _use_zone(calendar: icalendar.Calendar, context: Context) -> None:
    """X-WR-TIMEZONE names the calendar's zone; else a VTIMEZONE with an IANA TZID does
    (Outlook's "W. Europe Standard Time" is no IANA name: its times are still read
    correctly through the VTIMEZONE, but floating times then need the config's zone)."""
    declared = calendar.get("X-WR-TIMEZONE")
    if declared:
        context.use_file_zone(str(declared), "its X-WR-TIMEZONE")
        return
    if context.file_zone_name:
        return  # an earlier calendar of the file named it
    for component in calendar.walk("VTIMEZONE"):
        name = str(component.get("TZID", "")).strip()
        try:
            lookup_zone(name, "")
        except ScheduleError:
            continue
        context.use_file_zone(name, "its VTIMEZONE")
        return


def _read_calendar(calendar: icalendar.Calendar, parsed: Parsed, context: Context) -> int:
    components = calendar.walk("VEVENT")
    series = {str(c.get("UID", "")) for c in components if any(k in c for k in _REPEATS)}
    # One organizer name across the calendar is the conference's own account, not a
    # speaker; only when events name different organizers are they people.
    organizers = Counter(_cn(c.get("ORGANIZER")) for c in components)
    organizers.pop(None, None)
    shared_organizer = next(iter(organizers)) if len(organizers) == 1 else None
    all_day = 0
    first = len(parsed.events)
    for component in components:
        if any(k in component for k in _REPEATS) or (
                "RECURRENCE-ID" in component and str(component.get("UID", "")) in series):
            continue  # a series and its changed occurrences: expanded below
        event, whole_day = _event(component, None, shared_organizer, context)
        all_day += whole_day
        if event is not None:
            parsed.events.append(event)
    if series:
        all_day += _expand(calendar, series, parsed.events[first:], shared_organizer,
                           parsed, context)
    return all_day


def _expand(calendar: icalendar.Calendar, series: set[str], singles: list[ScheduleEvent],
            shared_organizer: str | None, parsed: Parsed, context: Context) -> int:
    """Each occurrence of a repeating event within the span of the calendar's other
    events (or 31 days from its first occurrence), as an event ``UID#<start>``."""
    starts = [e.start for e in singles if e.start is not None]
    ends = [e.end or e.start for e in singles if e.start is not None]
    span = (min(starts), max(e for e in ends if e is not None)) if starts else None
    begin = span[0] if span else _earliest(calendar, series, context)
    if begin is None:
        context.warn("its repeating events have no usable DTSTART; they were left out")
        return 0
    all_day = 0
    found: set[str] = set()
    try:
        for occurrence in recurring_ical_events.of(calendar).after(begin - timedelta(days=1)):
            uid = str(occurrence.get("UID", ""))
            if uid not in series:
                continue
            start = _start_of(occurrence, context)
            if start is None:
                continue
            if span is None:
                span = (start, start + LONE_SERIES_SPAN)
            if start > span[1]:
                break
            if start < span[0]:
                continue
            event, whole_day = _event(occurrence, f"{uid}#{start.isoformat()}",
                                      shared_organizer, context)
            all_day += whole_day
            if event is not None:
                found.add(uid)
                parsed.events.append(event)
    except (ScheduleError, TimeUp):
        raise
    except Exception as exc:  # a library error on one odd rule must not lose the file
        context.warn(f"its repeating events could not all be expanded ({str(exc)[:80]}); "
                     "the occurrences found so far were kept")
    missing = len(series - found)
    if missing:
        context.warn(f"{missing} repeating event{'s have' if missing > 1 else ' has'} no "
                     "occurrence within the dates of the calendar's other events; "
                     f"{'they were' if missing > 1 else 'it was'} left out")
    return all_day


def _earliest(calendar: icalendar.Calendar, series: set[str], context: Context
              ) -> datetime | None:
    starts = []
    for component in calendar.walk("VEVENT"):
        if str(component.get("UID", "")) in series and any(k in component for k in _REPEATS):
            start = _start_of(component, context)
            if start is not None:
                starts.append(start)
    return min(starts) if starts else None


def _start_of(component: Any, context: Context) -> datetime | None:
    """The component's DTSTART as an instant (None when missing or unusable)."""
    try:
        value = _moment(component, "DTSTART", context)
    except (ScheduleError, TimeUp):
        raise
    except Exception:
        return None
    return value if isinstance(value, datetime) else None


def _moment(component: Any, key: str, context: Context) -> datetime | date | None:
    """DTSTART or DTEND: an aware instant, or a date (all-day) placed at midnight when the
    zone is known, else the date itself."""
    prop = component.get(key)
    if prop is None:
        return None
    value = prop.dt
    if isinstance(value, date):
        plausible(value, key)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
            if tzid:
                raise ScheduleError(f"its TZID {str(tzid)[:60]!r} is neither an IANA time "
                                    "zone name nor defined in a VTIMEZONE; re-export it "
                                    "with its time zones")
            return context.localize(value)
        return value
    if isinstance(value, date):
        if context.zone is None:
            return value
        return datetime.combine(value, time(0), context.zone)
    return None


def _event(component: Any, uid: str | None, shared_organizer: str | None,
           context: Context) -> tuple[ScheduleEvent | None, int]:
    """The event (None when unusable, with a warning) and 1 if it is an all-day one."""
    title = text_of(str(component.get("SUMMARY", "")))
    own_uid = text_of(str(component.get("UID", "")))
    if not title:
        context.warn_event(f"an event{f' (UID {own_uid})' if own_uid else ''} has no "
                           "SUMMARY; it was skipped")
        return None, 0
    name = label(title, uid or own_uid)
    try:
        start = _moment(component, "DTSTART", context)
        end = _moment(component, "DTEND", context)
        length = component.get("DURATION")
        length = length.dt if length is not None else None
    except (ScheduleError, TimeUp):
        raise
    except Exception as exc:  # icalendar's BrokenCalendarProperty and friends
        context.warn_event(f"{name}: its time cannot be read ({str(exc)[:80]}); it was "
                           "skipped")
        return None, 0
    context.count_event()
    whole_day = 0
    if start is None:
        context.warn_event(f"{name}: it has no DTSTART; it is listed without a start")
    elif not isinstance(start, datetime):
        context.warn_event(f"{name}: it is an all-day event and the calendar has no time "
                           "zone to place its day in; it is listed without a start")
        start, end = None, None
    elif not isinstance(component.get("DTSTART").dt, datetime):  # a DATE, placed at 00:00
        whole_day = 1
        if not isinstance(end, datetime):
            end = start + (length if isinstance(length, timedelta) else timedelta(days=1))
    if start is not None and end is None and isinstance(length, timedelta):
        if length < timedelta(0):
            context.warn_event(f"{name}: its DURATION is negative; its end was left empty")
        else:
            end = start + length
    if not isinstance(end, datetime):
        end = None
    speakers = [n for n in (_cn(a) for a in _all(component.get("ATTENDEE"))) if n]
    if not speakers:
        organizer = _cn(component.get("ORGANIZER"))
        if organizer and organizer != shared_organizer:
            speakers = [organizer]
    categories: list[str] = []
    for prop in _all(component.get("CATEGORIES")):
        for item in getattr(prop, "cats", []):
            found = one_line(str(item))
            if found and found not in categories:
                categories.append(found)
    room = text_of(str(component.get("LOCATION", "")))
    return ScheduleEvent(
        uid=uid or own_uid or context.made_id(title, start, room),
        title=title,
        start=start,
        end=checked_end(start, end, name, context),
        abstract=clean_abstract(str(component.get("DESCRIPTION", ""))),
        speakers=list(dict.fromkeys(speakers)),
        room=room,
        track=categories[0] if len(categories) == 1 else None,
        url=text_of(str(component.get("URL", ""))),
        tags=categories,
        cancelled=str(component.get("STATUS", "")).strip().upper() == "CANCELLED",
    ), whole_day


def _all(value: object) -> list[Any]:
    """A property that may appear once (a value) or several times (a list)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _cn(address: object) -> str | None:
    """The display name (CN) of an ORGANIZER or ATTENDEE; a bare mailto: is no name."""
    params = getattr(address, "params", None)
    if not params:
        return None
    if str(params.get("ROLE", "")).upper() == "NON-PARTICIPANT":
        return None
    return text_of(str(params.get("CN", ""))) or None
