"""A person's reminders as an iCalendar file, for a phone's calendar (``/agenda ics``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

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
        finish = reminder.ends
        event.add("dtstart", start)
        event.add("dtend", finish.astimezone(start.tzinfo))
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
    return calendar.to_ical()
