"""Read any supported schedule export into one ``Schedule``, or refuse it in one sentence.

The format is told by content, never by extension: a ``schedule.json`` may be pretalx or
Sessionize, and a notes folder holds JSON and XML that are not schedules at all. The
rules every format shares are applied here, after its reader: cancelled and service
events, duplicate ids, the conference's name and dates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from bot.corpus.errors import NoteError
from bot.corpus.limits import time_budget
from bot.corpus.text import decode_bytes, humanize_filename, one_line, remove_between
from bot.schedule.formats import Context, Parsed, label
from bot.schedule.limits import DEFAULT_SCHEDULE_LIMITS, ScheduleLimits
from bot.schedule.models import Schedule, ScheduleError, ScheduleEvent

FORMATS = ("frab-json", "frab-xml", "sessionize", "ical")
NOT_A_SCHEDULE = ("it is not a schedule export summit-bot reads (pretalx or frab JSON, frab "
                  "or Pentabarf XML, Sessionize JSON, iCalendar)")

# Sniffing reads this much: enough for any export's opening keys, little enough to be
# free on every JSON or XML file in a notes folder.
_HEAD_BYTES = 16 * 1024
_JSON_KEY = re.compile(r'"(\$?[A-Za-z_][\w]*)"\s*:')
_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
_DOCTYPE_SCHEDULE = re.compile(r"<!DOCTYPE\s+(?:[\w.-]+:)?schedule\b", re.IGNORECASE)
_CANCELLED_TITLE = re.compile(r"[\W_]*(?:cancell?ed|abgesagt)\b", re.IGNORECASE)
_SERVICE_KIND = re.compile(r"\b(?:break|lunch|coffee)\b|pause\b", re.IGNORECASE)
# An event this far outside the conference's dates is a typo'd year or a stale entry.
OUTSIDE_DAYS = 2


def sniff_schedule(raw: bytes, name: str) -> str | None:
    """Which export format the bytes are ("frab-json", "frab-xml", "sessionize", "ical"),
    or None when they are no schedule. Judged from the first 16 KB, so a truncated export
    still counts (and is reported when read). ``name`` never decides: a ``.json`` may be
    either of two formats or neither."""
    head = raw[:_HEAD_BYTES]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    text = text.lstrip("\ufeff \t\r\n")
    if text[:15].upper() == "BEGIN:VCALENDAR":
        return "ical"
    if text.startswith("<"):
        if _DOCTYPE_SCHEDULE.search(text):
            return "frab-xml"
        body = remove_between(text, "<!--", "-->") if "<!--" in text else text
        for tag in _FIRST_TAG.finditer(body):
            return "frab-xml" if tag[1].rsplit(":", 1)[-1] == "schedule" else None
        return None
    if text[:1] not in ("{", "["):
        return None
    keys = set(_JSON_KEY.findall(text))
    if text.startswith("{"):
        if "schedule" in keys and "conference" in keys:
            return "frab-json"
        if "sessions" in keys and "startsAt" in keys:
            return "sessionize"  # view/All
        return None
    if "startsAt" in keys and keys & {"rooms", "timeSlots", "groupName", "groupId"}:
        return "sessionize"  # view/GridSmart or view/Sessions
    return None


def read_schedule(raw: bytes, source: str, *, timezone: str | None = None,
                  name: str | None = None,
                  companion: Callable[[str], bytes | None] | None = None,
                  limits: ScheduleLimits = DEFAULT_SCHEDULE_LIMITS) -> Schedule:
    """The export's events with aware start and end instants, or ScheduleError.

    ``source`` is the path or URL shown to users; ``timezone`` and ``name`` come from the
    config for this source and only fill in what the file lacks (the file's own zone and
    title win); ``companion(file_name)`` returns the bytes of a file beside the export
    (Sessionize's ``speakers.json``), or None.
    """
    if len(raw) > limits.max_schedule_bytes:
        raise ScheduleError(f"it is {len(raw):,} bytes, more than a schedule may be "
                            f"({limits.max_schedule_bytes:,}, limits.max_schedule_bytes)")
    kind = sniff_schedule(raw, source)
    if kind is None:
        raise ScheduleError(NOT_A_SCHEDULE)
    try:
        with time_budget(limits.seconds_per_file, "limits.seconds_per_schedule"):
            context = Context(source, timezone, limits, companion)
            return _finish(_parse(kind, raw, context), context, source, name)
    except NoteError as exc:
        raise ScheduleError(str(exc)) from None
    except RecursionError:
        raise ScheduleError("it is nested too deeply to read; re-export it") from None
    except MemoryError:
        raise ScheduleError("it needs more memory than reading a schedule may use; "
                            "split it") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError,
            OverflowError) as exc:
        # A reader bug or a library's surprise must not escape as a crash of the indexer.
        raise ScheduleError(f"it could not be read ({type(exc).__name__}: "
                            f"{str(exc)[:100]})") from exc


def _parse(kind: str, raw: bytes, context: Context) -> Parsed:
    from bot.schedule.formats import frab_json, frab_xml, ical, sessionize

    if kind == "ical":
        return ical.read(raw, context)
    if kind == "frab-xml":
        return frab_xml.read(raw, context)
    text, replaced = decode_bytes(raw)
    if replaced:
        context.warn("it is not valid UTF-8; the bad bytes were replaced")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScheduleError(f"it is not valid JSON (line {exc.lineno}, column {exc.colno}); "
                            "re-export it") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ScheduleError(f"it is not valid JSON ({str(exc)[:80]}); re-export it") from None
    reader = frab_json if kind == "frab-json" else sessionize
    return reader.read(data, context)


def _finish(parsed: Parsed, context: Context, source: str, name: str | None) -> Schedule:
    events = _unique(parsed.events, context)
    if not events:
        context.warn("it holds no events (yet): nothing of it can be answered")
    for event in events:
        if not event.cancelled and _CANCELLED_TITLE.match(event.title):
            event.cancelled = True
        if not event.service and event.kind and _SERVICE_KIND.search(event.kind):
            event.service = True
    days = sorted(set(parsed.days))
    if days:
        _check_dates(events, days, context)
    else:
        days = sorted({_local_date(e, context) for e in events if e.start is not None})
    conference = (parsed.title or one_line(name or "") or parsed.acronym
                  or humanize_filename(_stem(source)))
    return Schedule(conference=conference, timezone=context.zone_name, events=events,
                    days=days, warnings=context.all_warnings(), format=parsed.format)


def _unique(events: list[ScheduleEvent], context: Context) -> list[ScheduleEvent]:
    """The first event of each id; the repeats are counted in one warning. Events that
    only share a title stay apart (recurring workshops, talks given twice)."""
    seen: set[str] = set()
    kept: list[ScheduleEvent] = []
    repeats: list[ScheduleEvent] = []
    for event in events:
        if event.uid in seen:
            repeats.append(event)
            continue
        seen.add(event.uid)
        kept.append(event)
    if repeats:
        first = repeats[0]
        many = len(repeats) > 1
        context.warn(f"{len(repeats)} event{'s repeat' if many else ' repeats'} the id of "
                     f"an earlier one (first {label(first.title, first.uid)}); only the "
                     "first event with each id was kept")
    return kept


def _local_date(event: ScheduleEvent, context: Context) -> date:
    assert event.start is not None
    if context.zone is not None:
        return event.start.astimezone(context.zone).date()
    return event.start.date()


def _check_dates(events: list[ScheduleEvent], days: list[date], context: Context) -> None:
    first = days[0] - timedelta(days=OUTSIDE_DAYS)
    last = days[-1] + timedelta(days=OUTSIDE_DAYS)
    outside = [e for e in events if e.start is not None
               and not first <= _local_date(e, context) <= last]
    if outside:
        many = len(outside) > 1
        context.warn(f"{len(outside)} event{'s start' if many else ' starts'} more than "
                     f"{OUTSIDE_DAYS} days outside the conference's dates ({days[0]} to "
                     f"{days[-1]}; first {label(outside[0].title, outside[0].uid)}); "
                     f"{'they were' if many else 'it was'} kept")


def _stem(source: str) -> str:
    if "://" in source:
        return PurePosixPath(urlsplit(source).path).stem or "schedule"
    return Path(source).stem or "schedule"
