"""frab / Pentabarf ``schedule.xml``: ``/schedule/day[@date]/room[@name]/event``.

Parsed with defusedxml: a DTD's entities (a "billion laughs") or external references
(``SYSTEM "file:///etc/passwd"``) refuse the file instead of being expanded or fetched.
The c3voc flavour gives each event a ``<date>`` with offset (authoritative); the legacy
one (FOSDEM 2013) only a day's date, an "HH:MM" start and no zone, read in the
conference's zone and minding ``day_change``.
"""

from __future__ import annotations

from datetime import date, time
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeTree

from bot.corpus.text import one_line
from bot.schedule.clean import clean_abstract
from bot.schedule.formats import Context, Parsed, checked_end, end_from, label, text_of
from bot.schedule.formats.frab_json import (
    CANCELLED_STATES,
    date_of,
    day_change_of,
    frab_start,
    span_days,
)
from bot.schedule.models import ScheduleError, ScheduleEvent


def parse(raw: bytes) -> Element:
    """The document's root, or a ScheduleError saying why there is none."""
    try:
        root: Element = SafeTree.fromstring(raw)
    except defusedxml.EntitiesForbidden:
        raise ScheduleError("its XML declares entities (<!ENTITY …>), which a schedule never "
                            "needs and which can expand without bound or read other files; "
                            "it was not read") from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise ScheduleError("its XML refers to an external document, which a schedule never "
                            "needs; it was not read") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ScheduleError(f"it is not valid XML (line {line}, column {column + 1}); "
                            "re-export it") from None
    except defusedxml.DefusedXmlException as exc:
        raise ScheduleError(f"its XML uses a feature that is not read ({exc})") from None
    return root


def _tag(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _child(element: Element, name: str) -> str | None:
    """The text of a direct child (namespaces ignored), or None."""
    for child in element:
        if _tag(child) == name:
            return "".join(child.itertext())
    return None


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _tag(child) == name]


def read(raw: bytes, context: Context) -> Parsed:
    root = parse(raw)
    if _tag(root) != "schedule":
        raise ScheduleError(f"its XML root is <{_tag(root)[:40]}>, not <schedule>; is it a "
                            "frab or Pentabarf schedule.xml?")
    conference = next(iter(_children(root, "conference")), None)
    parsed = Parsed("frab-xml")
    default_change = None
    if conference is not None:
        context.use_file_zone(_child(conference, "time_zone_name"), "its time_zone_name")
        parsed.title = text_of(_child(conference, "title"))
        parsed.acronym = text_of(_child(conference, "acronym"))
        default_change = day_change_of(_child(conference, "day_change"), context)
    for position, day in enumerate(_children(root, "day"), 1):
        day_date = date_of(day.get("date"))
        if day_date is not None:
            parsed.days.append(day_date)
        change = day_change_of(day.get("start"), context) or default_change
        for child in day:
            if _tag(child) == "room":
                room = text_of(child.get("name"))
                for event in _children(child, "event"):
                    _add(parsed, event, room, day_date, change, context)
            elif _tag(child) == "event":
                _add(parsed, child, None, day_date, change, context)
        if day_date is None:
            context.warn_event(f"day {position} has no date=\"YYYY-MM-DD\"; its events "
                               "without a <date> are listed without a start")
    if not parsed.days and conference is not None:
        parsed.days = span_days(_child(conference, "start"), _child(conference, "end"))
    return parsed


def _add(parsed: Parsed, element: Element, room: str | None, day_date: date | None,
         day_change: time | None, context: Context) -> None:
    uid = text_of(element.get("guid")) or text_of(element.get("id"))
    title = text_of(_child(element, "title"))
    if not title:
        context.warn_event(f"an event{f' (id {uid})' if uid else ''} has no title; it was "
                           "skipped")
        return
    context.count_event()
    name = label(title, uid)
    start = frab_start(_child(element, "date"), _child(element, "start"), day_date,
                       day_change, name, context)
    end = end_from(start, _child(element, "duration"), name, context)
    room = text_of(_child(element, "room")) or room
    speakers: list[str] = []
    for persons in _children(element, "persons"):
        for person in _children(persons, "person"):
            found = one_line("".join(person.itertext()))
            if found and found not in speakers:
                speakers.append(found)
    url = text_of(_child(element, "url"))
    if not url:
        for links in _children(element, "links"):
            url = next((text_of(link.get("href")) for link in _children(links, "link")
                        if text_of(link.get("href"))), None)
            if url:
                break
    state = text_of(_child(element, "state")) or ""
    parsed.events.append(ScheduleEvent(
        uid=uid or context.made_id(title, start, room),
        title=title,
        start=start,
        end=checked_end(start, end, name, context),
        subtitle=text_of(_child(element, "subtitle")),
        abstract=clean_abstract(_child(element, "abstract")),
        description=clean_abstract(_child(element, "description")),
        speakers=speakers,
        room=room,
        track=text_of(_child(element, "track")),
        kind=text_of(_child(element, "type")),
        language=text_of(_child(element, "language")),
        url=url,
        cancelled=state.lower() in CANCELLED_STATES,
    ))
