"""Conference schedule exports (pretalx/frab JSON, frab/Pentabarf XML, Sessionize,
iCalendar) read into one model, so that "when is…", "where is…" and "what's on now"
questions can be answered from the organisers' own times, rooms and speakers."""

from bot.schedule.limits import DEFAULT_SCHEDULE_LIMITS, ScheduleLimits
from bot.schedule.models import Schedule, ScheduleError, ScheduleEvent
from bot.schedule.reader import read_schedule, sniff_schedule

__all__ = [
    "DEFAULT_SCHEDULE_LIMITS",
    "Schedule",
    "ScheduleError",
    "ScheduleEvent",
    "ScheduleLimits",
    "read_schedule",
    "sniff_schedule",
]
