"""Exponential backoff with jitter for the sync loop: a homeserver that is down gets a
request every few minutes at most, never a tight loop, and the bot recovers by itself."""

from __future__ import annotations

import random


class Backoff:
    def __init__(self, first: float = 1.0, cap: float = 300.0, factor: float = 2.0,
                 rng: random.Random | None = None):
        self.first, self.cap, self.factor = first, cap, factor
        self.failures = 0
        self._rng = rng or random.Random()

    def reset(self) -> None:
        self.failures = 0

    def next_delay(self) -> float:
        """Seconds to wait after one more failure: doubling up to the cap, with full jitter
        over the upper half so that many bots don't retry in step."""
        base = min(self.cap, self.first * self.factor ** self.failures)
        self.failures += 1
        return base / 2 + self._rng.random() * base / 2
