"""The one clock everything that needs the time is handed, so tests and rehearsals set it.

Aware datetimes only: a schedule question is answered against ``clock.now()``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, time-zone-aware."""
        ...


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that reads what it was set to (``--now``, tests, a rehearsal)."""

    def __init__(self, moment: datetime):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("a fixed clock needs an aware datetime (with a UTC offset)")
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


class RunningClock:
    """A clock that starts at a given instant and then runs at real speed: a rehearsal of
    the event before it happens (``SUMMIT_BOT_NOW``)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("a rehearsal clock needs an aware datetime (with a UTC offset)")
        import time

        self._start = start
        self._started = time.monotonic()
        self._monotonic = time.monotonic

    def now(self) -> datetime:
        from datetime import timedelta

        return self._start + timedelta(seconds=self._monotonic() - self._started)


def clock_from_environment(environ: dict[str, str] | None = None) -> Clock:
    """``SUMMIT_BOT_NOW`` (an ISO 8601 instant with its UTC offset) starts a rehearsal clock
    there; otherwise the system clock. A value that cannot be read is a ValueError naming
    the variable."""
    import os

    value = (environ if environ is not None else dict(os.environ)).get("SUMMIT_BOT_NOW")
    if not value:
        return SystemClock()
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"$SUMMIT_BOT_NOW: {value!r} is not an ISO 8601 time; write it "
                         "like 2024-12-28T15:40:00+01:00") from None
    if moment.tzinfo is None:
        raise ValueError("$SUMMIT_BOT_NOW needs a UTC offset, like 2024-12-28T15:40:00+01:00")
    return RunningClock(moment)
