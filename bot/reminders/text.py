"""The words of reminders: what the person is sent, and what the commands reply.

Plain text (the adapters escape it); times in the conference's zone, with the bot's own
"in 10 min" (right during a rehearsal too, unlike a client's relative stamp).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.reminders.models import Reminder
from bot.schedule.timetext import clock_text

MAX_TITLE = 200


def _title(text: str) -> str:
    return text if len(text) <= MAX_TITLE else text[:MAX_TITLE - 1].rstrip() + "…"


def _minutes(delta_seconds: float) -> str:
    minutes = round(abs(delta_seconds) / 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 120:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def where_when(reminder: Reminder) -> str:
    """"Sat 28 Dec 16:00 CET (UTC+01:00) · Saal 1"."""
    parts = [clock_text(reminder.local_start())]
    if reminder.room:
        parts.append(reminder.room)
    return " · ".join(parts)


def reminder_text(reminder: Reminder, now: datetime) -> str:
    """The reminder itself: what, when (and how soon), where, and its link."""
    delta = (reminder.start - now).total_seconds()
    soon = (f"starts in {_minutes(delta)}" if delta >= 30
            else "starts now" if delta > -60 else f"started {_minutes(delta)} ago")
    lines = [f"Reminder: {_title(reminder.title)} {soon}.", where_when(reminder)]
    if reminder.url:
        lines.append(reminder.url)
    return "\n".join(lines)


def gone_text(reminder: Reminder) -> str:
    """The one message sent instead of the reminder when its talk is cancelled or gone."""
    what = "has been cancelled" if reminder.kind == "cancelled" \
        else "is no longer in the schedule"
    return (f"{_title(reminder.title)} ({where_when(reminder)}) {what}, so your reminder of "
            "it is removed.")


def moved_text(reminder: Reminder) -> str:
    """Sent when a refresh gives a reminded talk a new time or room (``reminder`` holds
    the new ones); the reminder itself follows at the new time."""
    return (f"{_title(reminder.title)} has moved: now {where_when(reminder)}. Your reminder "
            f"({reminder.minutes} min before) moved with it.")


def confirmation_text(reminder: Reminder, changed: bool = False) -> str:
    """Sent by direct message when a reminder is set: it also proves the bot can write."""
    verb = "Changed: I will" if changed else "I will"
    return (f"{verb} remind you here {reminder.minutes} min before "
            f"{_title(reminder.title)} ({where_when(reminder)}).")


def set_text(reminder: Reminder, changed: bool, direct_chat: str) -> str:
    """The reply to the command, once the reminder is stored and confirmed."""
    verb = "Changed your reminder: I will" if changed else "Set: I will"
    return (f"{verb} remind you {reminder.minutes} min before {_title(reminder.title)} "
            f"({where_when(reminder)}) in {direct_chat}.")


def list_lines(reminders: Sequence[Reminder], first: int = 1) -> list[str]:
    """"1. Title — Sat 28 Dec 16:00 CET · Saal 1 (10 min before)", numbered from ``first``."""
    return [f"{n}. {_title(r.title)} — {where_when(r)} ({r.minutes} min before)"
            for n, r in enumerate(reminders, start=first)]
