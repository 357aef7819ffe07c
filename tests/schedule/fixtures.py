"""Small synthetic schedule exports, written the way each tool writes them, so that a test
states only the fields it is about."""

from __future__ import annotations

import json
from typing import Any


def frab_event(uid: str, title: str, start: str | None = "10:00", duration: object = "00:30",
               **fields: Any) -> dict[str, Any]:
    """A pretalx/frab JSON event; pass ``date=...`` for the authoritative ISO instant."""
    event: dict[str, Any] = {"guid": uid, "id": 1, "title": title, "start": start,
                             "duration": duration, "room": "Room A", "track": None,
                             "type": "Talk", "language": "en", "abstract": "",
                             "description": "", "persons": [], "links": []}
    event.update(fields)
    return event


def frab_json(days: list[tuple[str, list[Any]]], *,
              time_zone_name: str | None = "Europe/Berlin", title: str = "Test Conf",
              acronym: str = "test", day_start: str | None = None) -> bytes:
    """A ``schedule.json`` with one room per day; ``day_start`` is the days' wall-clock
    start ("10:00"), giving each day an ISO ``day_start``/``day_end`` like rC3's."""
    conference: dict[str, Any] = {"acronym": acronym, "title": title,
                                  "start": days[0][0], "end": days[-1][0], "days": []}
    if time_zone_name is not None:
        conference["time_zone_name"] = time_zone_name
    for index, (day, events) in enumerate(days, 1):
        entry: dict[str, Any] = {"index": index, "date": day, "rooms": {"Room A": events}}
        if day_start:
            entry["day_start"] = f"{day}T{day_start}:00"
        conference["days"].append(entry)
    return json.dumps({"schedule": {"version": "1", "conference": conference}}).encode()


def xml_event(event_id: str, title: str, start: str, *, duration: str = "00:30",
              date: str | None = None, guid: str | None = None, persons: tuple[str, ...] = (),
              extra: str = "") -> str:
    guid_attr = f' guid="{guid}"' if guid else ""
    date_element = f"<date>{date}</date>" if date else ""
    people = "".join(f'<person id="{n}">{name}</person>' for n, name in enumerate(persons))
    return (f'<event id="{event_id}"{guid_attr}>{date_element}<start>{start}</start>'
            f"<duration>{duration}</duration><room>Hall 1</room><title>{title}</title>"
            f"<subtitle/><track>Main</track><type>lecture</type><language>en</language>"
            f"<abstract>Short</abstract><description/><persons>{people}</persons>"
            f"{extra}</event>")


def frab_xml(days: list[tuple[str, list[str]]], *, conference_extra: str = "",
             day_attrs: str = "") -> bytes:
    body = "".join(f'<day index="{n}" date="{day}"{day_attrs}><room name="Hall 1">'
                   f'{"".join(events)}</room></day>' for n, (day, events) in enumerate(days, 1))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<schedule><version>1</version>'
            f"<conference><title>XML Conf</title><start>{days[0][0]}</start>"
            f"<end>{days[-1][0]}</end><days>{len(days)}</days>{conference_extra}"
            f"</conference>{body}</schedule>").encode()


BERLIN_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


def vevent(uid: str, summary: str, *lines: str) -> str:
    return "\n".join(["BEGIN:VEVENT", f"UID:{uid}", f"SUMMARY:{summary}",
                      "DTSTAMP:20240101T000000Z", *lines, "END:VEVENT"])


def ics(*parts: str, header: tuple[str, ...] = ()) -> bytes:
    """A calendar of ``parts`` (VEVENTs, VTIMEZONEs), CRLF line ends as RFC 5545 says."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//schedule//EN", *header,
             *parts, "END:VCALENDAR", ""]
    return "\r\n".join("\n".join(lines).split("\n")).encode()


def session(uid: str, title: str, starts: str, ends: str | None, **fields: Any
            ) -> dict[str, Any]:
    """A Sessionize session as the grid view writes it."""
    found: dict[str, Any] = {"id": uid, "title": title, "description": None,
                             "startsAt": starts, "endsAt": ends, "isServiceSession": False,
                             "isPlenumSession": False, "speakers": [], "categories": [],
                             "roomId": 1, "room": "Main", "status": "Accepted"}
    found.update(fields)
    return found


def sessionize_grid(day: str, sessions: list[dict[str, Any]]) -> bytes:
    """One day of ``view/GridSmart``: each session under ``rooms`` and again under
    ``timeSlots``, as Sessionize writes it."""
    slots = [{"slotStart": s["startsAt"][11:], "rooms": [
        {"id": 1, "name": "Main", "session": s, "index": 0}]} for s in sessions]
    return json.dumps([{"date": f"{day}T00:00:00", "isDefault": True,
                        "rooms": [{"id": 1, "name": "Main", "sessions": sessions,
                                   "hasOnlyPlenumSessions": False}],
                        "timeSlots": slots}]).encode()
