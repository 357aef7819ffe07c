"""What a schedule reader produces: a conference's events with aware start and end instants.

Every reader (pretalx/frab JSON, frab/Pentabarf XML, Sessionize, iCalendar) returns a
``Schedule``; nothing downstream knows which format an event came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


class ScheduleError(Exception):
    """A schedule file cannot be used at all; the message is one sentence saying what to do."""


@dataclass(slots=True)
class ScheduleEvent:
    """One scheduled item: a talk, workshop, keynote, or a service slot such as lunch."""

    uid: str  # stable across exports: guid, code, id or UID (prefixed by nothing)
    title: str  # exactly as exported, whitespace trimmed
    start: datetime | None  # time-zone-aware; None when the export gives no time
    end: datetime | None = None
    subtitle: str | None = None
    abstract: str = ""  # cleaned plain text (HTML, escaped HTML and Markdown removed)
    description: str = ""
    speakers: list[str] = field(default_factory=list)  # exactly as exported
    bios: dict[str, str] = field(default_factory=dict)  # speaker -> cleaned bio
    room: str | None = None
    track: str | None = None
    kind: str | None = None  # the export's type: talk, workshop, lightningtalk, ...
    language: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    cancelled: bool = False
    service: bool = False  # a break, lunch or registration: listed, never a notes answer


@dataclass(slots=True)
class Schedule:
    """A whole export: the conference and its events, with what was odd about the file."""

    conference: str  # the conference's name (the file's, else the config's, else the file's)
    timezone: str | None  # IANA name, e.g. "Europe/Brussels"
    events: list[ScheduleEvent] = field(default_factory=list)
    days: list[date] = field(default_factory=list)  # the conference's dates, when known
    warnings: list[str] = field(default_factory=list)  # one sentence each; the file is used
    format: str = ""  # "pretalx-json", "frab-xml", "sessionize", "ical"
