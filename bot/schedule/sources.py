"""Schedule sources: files found among the notes, and the config's ``schedule.sources``.

A source is read into sessions the index keeps beside the notes: each scheduled event is a
session whose passages are its abstract, description and speakers' bios, and whose
``slot`` holds its time and room. Reading never raises: a source that cannot be used is
reported in one sentence, and the others are still indexed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.corpus.limits import ReadLimits
from bot.corpus.models import Session, Slot
from bot.corpus.passages import make_passages
from bot.schedule.fetch import size_text
from bot.schedule.models import Schedule, ScheduleError

# The sub-heading of a scheduled talk's passage of speakers' bios.
BIOS_HEADING = "Speakers"
# Files whose content is sniffed for a schedule export (by content, never by name alone).
SCHEDULE_SUFFIXES = frozenset({".json", ".xml", ".ics", ".ical", ".ifb", ".xcs"})


@dataclass(frozen=True, slots=True)
class ScheduleSource:
    """One ``schedule.sources`` entry: a file or a URL, with the conference's zone and name
    for exports that carry none."""

    path: str | None = None
    url: str | None = None
    timezone: str | None = None
    name: str | None = None

    @property
    def shown(self) -> str:
        return self.url or self.path or "(no path)"


def _instant(moment: datetime | None, zone: ZoneInfo | None) -> str | None:
    if moment is None:
        return None
    return (moment.astimezone(zone) if zone else moment).isoformat()


def sessions_of(schedule: Schedule, source: str) -> list[Session]:
    """The sessions of a read schedule."""
    zone = ZoneInfo(schedule.timezone) if schedule.timezone else None
    sessions: list[Session] = []
    for event in schedule.events:
        sections: list[tuple[str | None, str]] = []
        if event.abstract.strip():
            sections.append((None, event.abstract))
        if event.description.strip() and event.description.strip() != event.abstract.strip():
            sections.append((None, event.description))
        bios = [f"- {name}: {' '.join(bio.split())}" for name, bio in event.bios.items()
                if bio.strip()]
        if bios:
            sections.append((BIOS_HEADING, "\n".join(bios)))
        start = _instant(event.start, zone)
        slot = Slot(start=start, end=_instant(event.end, zone), room=event.room,
                    timezone=schedule.timezone, uid=event.uid, kind=event.kind,
                    language=event.language, subtitle=event.subtitle,
                    cancelled=event.cancelled, service=event.service)
        sessions.append(Session(
            title=event.title, source=source, speakers=list(event.speakers),
            summit=schedule.conference, date=start[:10] if start else None,
            track=event.track, tags=list(event.tags), url=event.url,
            # a break's or lunch's blurb is never quoted as the answer to a question
            passages=[] if event.service else make_passages(sections), slot=slot))
    return sessions


def read_schedule_file(
    path: Path, source: str, spec: ScheduleSource | None, limits: ReadLimits,
    raw: bytes | None = None,
) -> tuple[list[Session], list[str]] | str | None:
    """A schedule file's sessions and warnings; the reason it cannot be used; or None when
    it is not a schedule export at all (a speakers list, some other JSON)."""
    from bot.schedule.reader import read_schedule, sniff_schedule

    bounds = limits.schedule_limits()
    try:
        if raw is None:
            size = path.stat().st_size
            if size > bounds.max_schedule_bytes:
                return (f"it is {size_text(size)}, over the schedule limit of "
                        f"{size_text(bounds.max_schedule_bytes)} (limits.max_schedule_bytes)")
            with path.open("rb") as handle:
                raw = handle.read(bounds.max_schedule_bytes + 1)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if sniff_schedule(raw[:65536], path.name) is None:
        return None
    companion = _companion_reader(path, bounds.max_schedule_bytes)
    try:
        schedule = read_schedule(
            raw, source, timezone=spec.timezone if spec else None,
            name=spec.name if spec else None, companion=companion, limits=bounds)
    except ScheduleError as exc:
        return str(exc)
    except (RecursionError, MemoryError):
        return "it is too large or too deeply nested to read; re-export it"
    return sessions_of(schedule, source), list(schedule.warnings)


def _companion_reader(path: Path, cap: int) -> Callable[[str], bytes | None]:
    """Reads a file beside the schedule (Sessionize's speakers.json), bounded."""
    def read(name: str) -> bytes | None:
        other = path.with_name(Path(name).name)
        try:
            with other.open("rb") as handle:
                data = handle.read(cap + 1)
        except OSError:
            return None
        return data if len(data) <= cap else None
    return read
