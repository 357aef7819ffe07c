"""pretalx / frab / c3voc ``schedule.json``: ``schedule.conference.days[].rooms{name: [event]}``.

An event's ``date`` (ISO 8601 with offset) is authoritative. Older files have only a local
"HH:MM" ``start`` under a day whose hours run past midnight (rC3: 10:00 to 09:59 the next
morning), so a start earlier than the day's start belongs to the next calendar date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.corpus.text import one_line
from bot.schedule.clean import clean_abstract
from bot.schedule.formats import (
    Context,
    Parsed,
    as_dict,
    as_list,
    checked_end,
    end_from,
    instant_of,
    label,
    raw_text,
    text_of,
)
from bot.schedule.models import ScheduleError, ScheduleEvent
from bot.schedule.timeparse import BadValue, parse_clock, parse_iso, plausible

CANCELLED_STATES = frozenset({"canceled", "cancelled", "withdrawn"})


def read(data: Any, context: Context) -> Parsed:
    root = as_dict(data).get("schedule")
    conference = as_dict(root).get("conference")
    if not isinstance(conference, dict):
        raise ScheduleError('it has no "schedule" object with a "conference" in it; is it a '
                            "pretalx or frab schedule.json?")
    context.use_file_zone(conference.get("time_zone_name"), "its time_zone_name")
    parsed = Parsed("frab-json", title=text_of(conference.get("title")),
                    acronym=text_of(conference.get("acronym")))
    default_change = day_change_of(conference.get("day_change"), context)
    days = conference.get("days")
    if not isinstance(days, list):
        raise ScheduleError('its conference has no list of "days"; re-export it')
    for position, day in enumerate(days, 1):
        if not isinstance(day, dict):
            context.warn_event(f"day {position} is not an object; its events were skipped")
            continue
        day_date = date_of(day.get("date"))
        if day_date is not None:
            parsed.days.append(day_date)
        change = day_change_of(day.get("day_start"), context) or default_change
        for room, item in _items(day.get("rooms"), position, context):
            event = read_event(item, room, day_date, change, context)
            if event is not None:
                parsed.events.append(event)
    if not parsed.days:
        parsed.days = span_days(conference.get("start"), conference.get("end"))
    return parsed


def _items(rooms: object, position: int, context: Context
           ) -> Iterator[tuple[str | None, object]]:
    """(room name, event) pairs from ``{"Room": [event]}``, or from the c3voc variant's
    list of room objects (``[{"name": …, "events": […]}]``) or bare events."""
    if isinstance(rooms, dict):
        for name, events in rooms.items():
            if not isinstance(events, list):
                context.warn_event(f"room {name!r} of day {position} holds no list of "
                                   "events; it was skipped")
                continue
            for event in events:
                yield name, event
    elif isinstance(rooms, list):
        for entry in rooms:
            inner = as_dict(entry).get("events", as_dict(entry).get("talks"))
            if isinstance(inner, list):
                name = text_of(as_dict(entry).get("name"))
                for event in inner:
                    yield name, event
            else:
                yield None, entry
    elif rooms is not None:
        context.warn_event(f"the rooms of day {position} are not an object of rooms; its "
                           "events were skipped")


def read_event(item: object, room: str | None, day_date: date | None,
               day_change: time | None, context: Context) -> ScheduleEvent | None:
    if not isinstance(item, dict):
        where = f" in room {room}" if room else ""
        context.warn_event(f"an event{where} is {type(item).__name__}, not an object; it "
                           "was skipped")
        return None
    uid = next((text_of(item.get(k)) for k in ("guid", "code", "id") if text_of(item.get(k))),
               None)
    title = text_of(item.get("title"))
    if not title:
        context.warn_event(f"an event{f' (id {uid})' if uid else ''} has no title; it was "
                           "skipped")
        return None
    context.count_event()
    name = label(title, uid)
    start = frab_start(item.get("date"), item.get("start"), day_date, day_change, name,
                       context)
    room = text_of(item.get("room")) or room
    end = _end(item.get("end"), start, name, context, has_duration=bool(item.get("duration")))
    if end is None:
        end = end_from(start, item.get("duration"), name, context)
    speakers, bios = _persons(item.get("persons"))
    state = text_of(item.get("state"))
    track = item.get("track")
    return ScheduleEvent(
        uid=uid or context.made_id(title, start, room),
        title=title,
        start=start,
        end=checked_end(start, end, name, context),
        subtitle=text_of(item.get("subtitle")),
        abstract=clean_abstract(raw_text(item.get("abstract"))),
        description=clean_abstract(raw_text(item.get("description"))),
        speakers=speakers,
        bios=bios,
        room=room,
        track=text_of(as_dict(track).get("name")) if isinstance(track, dict) else
        text_of(track),
        kind=text_of(item.get("type")),
        language=text_of(item.get("language")),
        url=text_of(item.get("url")) or text_of(item.get("origin_url")),
        tags=[t for t in (text_of(x) for x in as_list(item.get("tags"))) if t],
        cancelled=(state or "").lower() in CANCELLED_STATES,
    )


def _persons(persons: object) -> tuple[list[str], dict[str, str]]:
    speakers: list[str] = []
    bios: dict[str, str] = {}
    for person in as_list(persons):
        if isinstance(person, str):
            found = one_line(person)
        else:
            record = as_dict(person)
            found = (text_of(record.get("public_name")) or text_of(record.get("name"))
                     or text_of(record.get("full_public_name")) or "")
            bio = clean_abstract(raw_text(record.get("biography")))
            if found and bio:
                bios[found] = bio
        if found and found not in speakers:
            speakers.append(found)
    return speakers, bios


def frab_start(own: object, start: object, day_date: date | None, day_change: time | None,
               name: str, context: Context) -> datetime | None:
    """The event's instant: its own ISO ``date`` if it has one, else the day's date and
    the "HH:MM" start, on the next calendar date when before the day's start."""
    if own not in (None, ""):
        try:
            found = parse_iso(own, "date")
        except BadValue as exc:
            context.warn_event(f"{name}: {exc}; its start was read from its day")
        else:
            if isinstance(found, datetime):
                return context.localize(found)
            day_date, day_change = found, None  # its own calendar date: no day_change shift
    if start in (None, ""):
        context.warn_event(f"{name}: it has no start time; it is listed without one")
        return None
    if isinstance(start, str) and "T" in start:
        return instant_of(start, "start", name, context)
    try:
        extra, clock = parse_clock(start)
    except BadValue as exc:
        context.warn_event(f"{name}: {exc}; it is listed without a start")
        return None
    if day_date is None:
        context.warn_event(f"{name}: its day has no date; it is listed without a start")
        return None
    if day_change is not None and clock < day_change:
        extra += 1
    return context.localize(datetime.combine(day_date + timedelta(days=extra), clock))


def _end(value: object, start: datetime | None, name: str, context: Context, *,
         has_duration: bool) -> datetime | None:
    """Newer pretalx's ISO ``end``; any other form is left to ``duration``, which every
    export has, and is only reported when there is no duration to fall back on."""
    if value in (None, "") or start is None:
        return None
    try:
        found = parse_iso(value, "end")
    except BadValue as exc:
        if not has_duration:
            context.warn_event(f"{name}: {exc}; its end was left empty")
        return None
    if not isinstance(found, datetime):
        return None
    return context.localize(found)


def date_of(value: object) -> date | None:
    """A day's date from "2021-12-27" (or an ISO date-time: its date part)."""
    if not isinstance(value, str) or len(value.strip()) < 10:
        return None
    try:
        return plausible(date.fromisoformat(value.strip()[:10]))
    except ValueError:  # BadValue included
        return None


def day_change_of(value: object, context: Context) -> time | None:
    """The wall-clock time a conference day starts at, from "09:00:00" or an ISO
    ``day_start`` (in the conference's zone when it has an offset and the zone is known).
    Midnight means no shift."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    found: time | None = None
    if "T" in text:
        try:
            moment = parse_iso(text, "day start")
        except BadValue:
            return None
        if isinstance(moment, datetime):
            if moment.tzinfo is not None and context.zone is not None:
                moment = moment.astimezone(context.zone)
            found = moment.time().replace(tzinfo=None)
    else:
        try:
            found = parse_clock(text)[1]
        except BadValue:
            return None
    return found if found and found != time(0) else None


def span_days(start: object, end: object) -> list[date]:
    """The dates from the conference's start to its end (at most 31: a longer span is a
    typo, and listing it would misplace every event's day)."""
    first, last = date_of(start), date_of(end)
    if first is None:
        return []
    if last is None or last < first or (last - first).days > 31:
        return [first]
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
