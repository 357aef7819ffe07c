"""Sessionize API v2 exports.

- ``view/GridSmart`` (``gridtable``): a list of days, each with ``rooms[].sessions`` and
  ``timeSlots[].rooms[].session``. Every session is listed under both, so the second copy
  is dropped silently (a repeat within ``rooms`` is still reported as a duplicate id).
- ``view/Sessions``: a list of groups, each with ``sessions``.
- ``view/All``: one object of ``sessions``, ``speakers``, ``categories`` and ``rooms``,
  where a session holds the ids of its speakers, room and category items.

Sessionize has no conference name and no time zone; ``startsAt`` is local time, so the
config's ``timezone:`` is needed. Bios live in a ``speakers.json`` beside a grid export
(``view/speakers``), fetched through the reader's ``companion``.
"""

from __future__ import annotations

import json
from typing import Any

from bot.corpus.text import decode_bytes
from bot.schedule.clean import clean_abstract
from bot.schedule.formats import (
    Context,
    Parsed,
    as_dict,
    as_list,
    checked_end,
    instant_of,
    label,
    raw_text,
    text_of,
)
from bot.schedule.formats.frab_json import CANCELLED_STATES, date_of
from bot.schedule.models import ScheduleError, ScheduleEvent

TRACK_CATEGORIES = frozenset({"track", "tracks"})
KIND_CATEGORIES = frozenset({"session format", "format", "session type"})
COMPANION = "speakers.json"


class _Lookups:
    """The ``view/All`` tables a session refers to by id."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.speakers: dict[str, dict[str, Any]] = {}
        for speaker in as_list(data.get("speakers")):
            key = text_of(as_dict(speaker).get("id"))
            if key:
                self.speakers[key] = speaker
        self.rooms: dict[str, str] = {}
        for room in as_list(data.get("rooms")):
            key, name = text_of(as_dict(room).get("id")), text_of(as_dict(room).get("name"))
            if key and name:
                self.rooms[key] = name
        self.items: dict[str, tuple[str, str]] = {}
        for category in as_list(data.get("categories")):
            group = text_of(as_dict(category).get("title")) or text_of(
                as_dict(category).get("name")) or ""
            for item in as_list(as_dict(category).get("items")):
                key, name = text_of(as_dict(item).get("id")), text_of(as_dict(item).get("name"))
                if key and name:
                    self.items[key] = (group, name)


def read(data: Any, context: Context) -> Parsed:
    parsed = Parsed("sessionize")
    sessions: list[object] = []
    lookups: _Lookups | None = None
    if isinstance(data, dict) and isinstance(data.get("sessions"), list):
        lookups = _Lookups(data)
        sessions = data["sessions"]
    elif isinstance(data, list):
        sessions = _grid_sessions(data, parsed, context)
    else:
        raise ScheduleError("it is not a Sessionize export this bot reads (a list of days "
                            'from view/GridSmart, or an object with "sessions" from '
                            "view/All)")
    bios = _speaker_bios(lookups, context) if lookups is not None else None
    for session in sessions:
        found = _event(session, lookups, context)
        if found is None:
            continue
        event, keys = found
        if bios is None and keys:
            bios = _companion_bios(context)
        if bios:
            event.bios = {name: bios[key] for name, key in keys.items() if key in bios}
        parsed.events.append(event)
    return parsed


def _grid_sessions(days: list[Any], parsed: Parsed, context: Context) -> list[object]:
    """Each session once: from ``rooms`` (or a group's ``sessions``), then any that only
    ``timeSlots`` holds."""
    listed: list[object] = []
    extra: list[object] = []
    for position, day in enumerate(days, 1):
        if not isinstance(day, dict):
            context.warn_event(f"day {position} is not an object; its sessions were skipped")
            continue
        day_date = date_of(day.get("date"))
        if day_date is not None and day_date not in parsed.days:
            parsed.days.append(day_date)
        listed.extend(as_list(day.get("sessions")))
        for room in as_list(day.get("rooms")):
            listed.extend(as_list(as_dict(room).get("sessions")))
        for slot in as_list(day.get("timeSlots")):
            for room in as_list(as_dict(slot).get("rooms")):
                session = as_dict(room).get("session")
                if session is not None:
                    extra.append(session)
    seen = {text_of(as_dict(s).get("id")) for s in listed}
    for session in extra:
        key = text_of(as_dict(session).get("id"))
        if key not in seen:
            seen.add(key)
            listed.append(session)
    return listed


def _event(session: object, lookups: _Lookups | None, context: Context
           ) -> tuple[ScheduleEvent, dict[str, str]] | None:
    """The event, and its speakers' ids by name (for joining bios)."""
    if not isinstance(session, dict):
        context.warn_event(f"a session is {type(session).__name__}, not an object; it was "
                           "skipped")
        return None
    uid = text_of(session.get("id"))
    title = text_of(session.get("title"))
    if not title:
        context.warn_event(f"a session{f' (id {uid})' if uid else ''} has no title; it was "
                           "skipped")
        return None
    context.count_event()
    name = label(title, uid)
    start = instant_of(session.get("startsAt"), "startsAt", name, context)
    if start is None and session.get("startsAt") in (None, ""):
        context.warn_event(f"{name}: it has no startsAt; it is listed without a start")
    end = instant_of(session.get("endsAt"), "endsAt", name, context)
    room = text_of(session.get("room"))
    if room is None and lookups is not None:
        room = lookups.rooms.get(text_of(session.get("roomId")) or "")
    speakers: list[str] = []
    keys: dict[str, str] = {}
    for speaker in as_list(session.get("speakers")):
        if isinstance(speaker, dict):
            key = text_of(speaker.get("id"))
            found = text_of(speaker.get("name")) or text_of(speaker.get("fullName"))
        else:
            key = text_of(speaker)
            record = lookups.speakers.get(key or "", {}) if lookups else {}
            found = text_of(record.get("fullName")) or " ".join(
                filter(None, (text_of(record.get("firstName")),
                              text_of(record.get("lastName"))))) or None
        if found and found not in speakers:
            speakers.append(found)
            if key:
                keys[found] = key
    track, kind, tags = _categories(session, lookups)
    status = (text_of(session.get("status")) or "").lower()
    return ScheduleEvent(
        uid=uid or context.made_id(title, start, room),
        title=title,
        start=start,
        end=checked_end(start, end, name, context),
        abstract=clean_abstract(raw_text(session.get("description"))),
        speakers=speakers,
        room=room,
        track=track,
        kind=kind,
        url=text_of(session.get("url")),
        tags=tags,
        cancelled=status in CANCELLED_STATES,
        service=session.get("isServiceSession") is True,
    ), keys


def _categories(session: dict[str, Any], lookups: _Lookups | None
                ) -> tuple[str | None, str | None, list[str]]:
    """(track, kind, tags): a "Track" category is the track, a "Session format" item the
    kind, and every other item (Level, Tags, …) a tag."""
    pairs: list[tuple[str, str]] = []
    for category in as_list(session.get("categories")):
        group = text_of(as_dict(category).get("name")) or ""
        for item in as_list(as_dict(category).get("categoryItems")):
            found = text_of(as_dict(item).get("name"))
            if found:
                pairs.append((group, found))
    if lookups is not None:
        for key in as_list(session.get("categoryItems")):
            pair = lookups.items.get(text_of(key) or "")
            if pair:
                pairs.append(pair)
    tracks = [item for group, item in pairs if group.lower() in TRACK_CATEGORIES]
    kinds = [item for group, item in pairs if group.lower() in KIND_CATEGORIES]
    tags: list[str] = []
    for group, item in pairs:
        lowered = group.lower()
        if lowered not in TRACK_CATEGORIES and lowered not in KIND_CATEGORIES \
                and item not in tags:
            tags.append(item)
    return (", ".join(tracks) or None, ", ".join(kinds) or None, tags)


def _speaker_bios(lookups: _Lookups, context: Context) -> dict[str, str]:
    bios: dict[str, str] = {}
    for key, record in lookups.speakers.items():
        bio = clean_abstract(raw_text(as_dict(record).get("bio")))
        if bio:
            bios[key] = bio
    return bios


def _companion_bios(context: Context) -> dict[str, str]:
    """Speaker id -> cleaned bio from the ``speakers.json`` beside a grid export; a
    missing one is normal (no bios), a broken one is a warning."""
    if context.companion is None:
        return {}
    try:
        raw = context.companion(COMPANION)
    except OSError as exc:
        context.warn(f"its {COMPANION} could not be read ({exc.strerror or exc}); speakers' "
                     "bios were left out")
        return {}
    if raw is None:
        return {}
    if len(raw) > context.limits.max_schedule_bytes:
        context.warn(f"its {COMPANION} is larger than limits.max_schedule_bytes; speakers' "
                     "bios were left out")
        return {}
    try:
        data = json.loads(decode_bytes(raw)[0])
    except json.JSONDecodeError as exc:
        context.warn(f"its {COMPANION} is not valid JSON (line {exc.lineno}, column "
                     f"{exc.colno}); speakers' bios were left out")
        return {}
    except (ValueError, RecursionError):
        context.warn(f"its {COMPANION} is not valid JSON; speakers' bios were left out")
        return {}
    if not isinstance(data, list):
        context.warn(f"its {COMPANION} is not a list of speakers (view/speakers); speakers' "
                     "bios were left out")
        return {}
    bios: dict[str, str] = {}
    for record in data:
        key = text_of(as_dict(record).get("id"))
        bio = clean_abstract(raw_text(as_dict(record).get("bio")))
        if key and bio:
            bios[key] = bio
    return bios
