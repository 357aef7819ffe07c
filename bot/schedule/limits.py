"""Bounds on reading one schedule export, so that no file (broken, huge or hostile) costs
the indexer unbounded time or memory. A file over a limit is refused with a sentence that
names the config setting to raise (``limits.max_schedule_bytes``,
``limits.max_schedule_events``, ``limits.seconds_per_schedule``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScheduleLimits:
    # The largest real exports (CCC congresses, FOSDEM since 2020) are a few MB.
    max_schedule_bytes: int = 32 * 1024 * 1024
    # FOSDEM, the largest, has ~1,000 events a year; 20,000 is a runaway RRULE or a dump.
    max_events: int = 20_000
    seconds_per_file: float = 30.0  # 0 = no limit


DEFAULT_SCHEDULE_LIMITS = ScheduleLimits()
