"""Times as people read them in a channel: "Sat 28 Dec 16:00 CET (UTC+01:00) · in 25 min".

Plain text for Matrix and the console; Discord shows its own ``<t:…>`` stamps instead, so
each reader sees their zone there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.corpus.models import Slot
from bot.schedule.programme import Talk

FAR = timedelta(days=14)  # beyond this, no "in N days"


def clock_text(moment: datetime) -> str:
    """"Sat 28 Dec 16:00 CET (UTC+01:00)", in the moment's own zone."""
    offset = moment.utcoffset() or timedelta(0)
    total = int(offset.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    name = moment.tzname() or ""
    utc = f"UTC{sign}{hours:02d}:{minutes:02d}"
    zone = f"{name} ({utc})" if name and not name.startswith(("UTC", "+", "-")) else utc
    return f"{moment:%a} {moment.day} {moment:%b %H:%M} {zone}"


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest and hours < 3 else f"{hours} h"
    days = round(minutes / 1440)
    return f"{days} day{'s' if days != 1 else ''}"


def relative_text(talk: Talk, now: datetime) -> str:
    """"in 25 min", "started 10 min ago", "ended 2 h ago"."""
    if talk.cancelled:
        return "cancelled"
    if abs(talk.start - now) > FAR:
        return ""  # "in 3,250 days" says nothing when looking back at an old programme
    if now < talk.start:
        return f"in {_span(talk.start - now)}"
    if now < talk.finish:
        return f"started {_span(now - talk.start)} ago"
    return f"ended {_span(now - talk.finish)} ago"


def talk_when(talk: Talk, now: datetime) -> str:
    """Its local start and how far away it is: "Sat 28 Dec 16:00 CET (UTC+01:00) · in 25
    min"."""
    local = talk.local(talk.start)
    end = f"–{talk.local(talk.end):%H:%M}" if talk.end and talk.end > talk.start else ""
    relative = relative_text(talk, now)
    return f"{clock_text(local)}{end}" + (f" · {relative}" if relative else "")


def slot_when(slot: Slot) -> str | None:
    """A session's scheduled time as text ("Sat 28 Dec 16:00 CET (UTC+01:00)–16:40"), or
    None when it has none."""
    if slot.start is None:
        return None
    try:
        start = datetime.fromisoformat(slot.start)
        end = datetime.fromisoformat(slot.end) if slot.end else None
    except ValueError:
        return None
    if slot.timezone:
        try:
            zone = ZoneInfo(slot.timezone)
            start, end = start.astimezone(zone), end.astimezone(zone) if end else None
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return clock_text(start) + (f"–{end:%H:%M}" if end and end > start else "")


def slot_line(slot: Slot | None) -> str | None:
    """"When · Room" of a scheduled session, with "(cancelled)"; None without a slot."""
    if slot is None:
        return None
    parts = [p for p in (slot_when(slot), slot.room) if p]
    if not parts:
        return None
    return " · ".join(parts) + (" (cancelled)" if slot.cancelled else "")
