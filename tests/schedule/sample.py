"""A small schedule of a made-up conference, written for these tests (no real event): two
days, two rooms, a break, a cancelled talk, a talk after midnight, a repeated workshop and
two talks by one speaker, as a pretalx ``schedule.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ZONE = "Europe/Berlin"
DAY1, DAY2 = "2030-06-01", "2030-06-02"


def _event(uid: str, title: str, start: str, duration: str, room: str, *,
           speakers: tuple[str, ...] = (), track: str | None = None, kind: str = "Talk",
           abstract: str = "", state: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "guid": uid, "id": int(uid[-3:], 16), "code": uid[-6:].upper(), "title": title,
        "subtitle": "", "date": start, "start": start[11:16], "duration": duration,
        "room": room, "track": track, "type": kind, "language": "en", "abstract": abstract,
        "description": "", "url": f"https://pretalx.example.org/tsum/talk/{uid[-6:]}/",
        "persons": [{"public_name": name, "biography": f"{name} builds things."}
                    for name in speakers], "links": []}
    if state:
        event["state"] = state
    return event


EVENTS = [
    _event("a0000000-0000-0000-0000-000000000101", "Storage at Scale with Ceph",
           f"{DAY1}T10:00:00+02:00", "00:45", "Saal 1", speakers=("Ada Quill",),
           track="Storage", abstract="How CRUSH places objects without a central table."),
    _event("a0000000-0000-0000-0000-000000000102", "Rust for Kernel Hackers",
           f"{DAY1}T10:00:00+02:00", "01:00", "Saal 2", speakers=("Maria Ortega",),
           track="Systems", abstract="Writing drivers in Rust, and what the borrow checker "
                                     "catches."),
    _event("a0000000-0000-0000-0000-000000000103", "Lunch", f"{DAY1}T12:00:00+02:00",
           "01:00", "Saal 1", kind="Break"),
    _event("a0000000-0000-0000-0000-000000000104", "Observability Deep Dive",
           f"{DAY1}T13:00:00+02:00", "00:40", "Saal 1", speakers=("Ada Quill", "Tom Reyes"),
           track="Operations", abstract="Tracing, metrics and logs for people on call."),
    _event("a0000000-0000-0000-0000-000000000105", "Quantum Widgets",
           f"{DAY1}T14:00:00+02:00", "00:30", "Saal 2", speakers=("Lee Park",),
           track="Systems", state="canceled"),
    _event("a0000000-0000-0000-0000-000000000106", "Soldering Workshop",
           f"{DAY1}T15:00:00+02:00", "01:00", "Saal 2", track="Hardware", kind="Workshop",
           abstract="Bring a board; we bring irons."),
    _event("a0000000-0000-0000-0000-000000000107", "Late Night Lightning Talks",
           f"{DAY2}T01:30:00+02:00", "00:30", "Saal 2", track="Community"),
    _event("a0000000-0000-0000-0000-000000000108", "Soldering Workshop",
           f"{DAY2}T11:00:00+02:00", "01:00", "Saal 2", track="Hardware", kind="Workshop",
           abstract="Bring a board; we bring irons."),
    _event("a0000000-0000-0000-0000-000000000109", "The Future of Summits",
           f"{DAY2}T09:00:00+02:00", "00:50", "Saal 1", speakers=("Maria Ortega",),
           kind="Keynote", abstract="Where conferences go next."),
]


def schedule_json(events: list[dict[str, Any]] | None = None) -> bytes:
    days: dict[str, dict[str, list[dict[str, Any]]]] = {DAY1: {}, DAY2: {}}
    for event in events if events is not None else EVENTS:
        day = DAY1 if event["date"] < f"{DAY2}T06:00" else DAY2
        days[day].setdefault(event["room"], []).append(event)
    return json.dumps({"schedule": {"version": "1", "conference": {
        "acronym": "tsum", "title": "Test Summit 2030", "start": DAY1, "end": DAY2,
        "daysCount": 2, "timeslot_duration": "00:05", "time_zone_name": ZONE,
        "days": [{"index": n, "date": day, "day_start": f"{day}T06:00:00+02:00",
                  "day_end": f"{following}T05:59:00+02:00", "rooms": rooms}
                 for n, ((day, rooms), following) in enumerate(
                     zip(days.items(), (DAY2, "2030-06-03"), strict=True), 1)]}}}).encode()


def write_sample(folder: Path, events: list[dict[str, Any]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "schedule.json"
    path.write_bytes(schedule_json(events))
    return path
