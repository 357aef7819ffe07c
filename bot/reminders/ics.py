"""A person's reminders as an iCalendar file, for a phone's calendar (``/agenda ics``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from bot.reminders.models import Reminder


def agenda_ics(reminders: Sequence[Reminder], now: datetime | None = None) -> bytes:
    """One event per talk, with an alarm as many minutes before as the reminder; the same
    talk keeps the same UID, so importing a newer file updates it instead of adding it."""
    calendar = Calendar()
    calendar.add("prodid", "-//summit-bot//agenda//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "My summit agenda")
    for reminder in reminders:
        event = Event()
        uid = hashlib.blake2b(reminder.talk.encode(), digest_size=12).hexdigest()
        event.add("uid", f"{uid}@summit-bot")
        event.add("summary", reminder.title)
        start = reminder.local_start()
        if not isinstance(start.tzinfo, ZoneInfo):
            # a bare UTC offset has no TZID a calendar app knows: write the instant in UTC
            start = start.astimezone(UTC)
        event.add("dtstart", start)
        event.add("dtend", reminder.ends.astimezone(start.tzinfo))
        if now is not None:
            event.add("dtstamp", now)
        if reminder.room:
            event.add("location", reminder.room)
        if reminder.url:
            event.add("url", reminder.url)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", reminder.title)
        alarm.add("trigger", timedelta(minutes=-reminder.minutes))
        event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()  # a VTIMEZONE for each zone named (RFC 5545)
    return calendar.to_ical()
