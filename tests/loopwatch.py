"""Watching the event loop while something runs: the gaps between 10 ms ticks, so a test
or a benchmark can say the loop was never blocked (and by how much, at worst)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

TICK_SECONDS = 0.01


@contextlib.asynccontextmanager
async def loop_gaps() -> AsyncIterator[list[float]]:
    """The seconds between consecutive ticks during the block (each at least a tick)."""
    stop = asyncio.Event()
    gaps: list[float] = []

    async def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(TICK_SECONDS)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    try:
        yield gaps
    finally:
        stop.set()
        await asyncio.wait_for(ticker, 5)
