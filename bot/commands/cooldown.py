"""Per-user cooldowns, so one person cannot flood a channel with questions. Each platform
has its own length (a Discord server and a Matrix room are configured apart)."""

from __future__ import annotations

import time


class Cooldowns:
    def __init__(self, seconds: float, per_platform: dict[str, float] | None = None):
        self.seconds = seconds  # for platforms not in per_platform
        self.per_platform = dict(per_platform or {})
        self._last: dict[tuple[str, str], float] = {}

    def check(self, platform: str, user_id: str) -> float:
        """0 if this user may go ahead now (and records it), else seconds left to wait."""
        seconds = self.per_platform.get(platform, self.seconds)
        if seconds <= 0:
            return 0.0
        key = (platform, user_id)
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < seconds:
            return seconds - (now - last)
        self._last[key] = now
        if len(self._last) > 10_000:  # forget entries older than the longest cooldown
            cutoff = now - max(self.seconds, *self.per_platform.values(), 0.0)
            self._last = {k: v for k, v in self._last.items() if v >= cutoff}
        return 0.0
