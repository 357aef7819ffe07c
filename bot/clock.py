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
