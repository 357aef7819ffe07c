"""Per-user cooldowns, so one person cannot flood a channel with questions."""

from __future__ import annotations

import time


class Cooldowns:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self._last: dict[str, float] = {}

    def check(self, key: str) -> float:
        """0 if ``key`` may go ahead now (and records it), else seconds left to wait."""
        if self.seconds <= 0:
            return 0.0
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        self._last[key] = now
        if len(self._last) > 10_000:  # forget old entries
            cutoff = now - self.seconds
            self._last = {k: v for k, v in self._last.items() if v >= cutoff}
        return 0.0
