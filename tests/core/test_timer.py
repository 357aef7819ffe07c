"""The one timed task: it sleeps until the soonest job is due, and a wake cuts the sleep."""

from __future__ import annotations

import asyncio
import contextlib

from bot.timer import run_due


class Job:
    def __init__(self, name: str, delays: list[float]):
        self.name = name
        self.woken = asyncio.Event()
        self.delays = delays  # what each step says; the last one repeats
        self.steps = 0
        self.stepped = asyncio.Event()

    async def step(self) -> float:
        self.steps += 1
        self.stepped.set()
        return self.delays[min(self.steps - 1, len(self.delays) - 1)]


class Failing(Job):
    async def step(self) -> float:
        await super().step()
        raise RuntimeError("boom")


async def _until(condition: object, timeout: float = 5.0) -> None:
    async def wait() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.005)
    await asyncio.wait_for(wait(), timeout)


async def test_the_soonest_job_decides_and_a_wake_cuts_the_sleep() -> None:
    idle = Job("idle", [3600.0])
    soon = Job("soon", [0.0, 0.05, 3600.0])  # due again at once, then in 50 ms, then idle
    task = asyncio.ensure_future(run_due([idle, soon]))
    try:
        await _until(lambda: soon.steps >= 3)
        assert idle.steps == soon.steps  # every job is asked each time the task wakes
        settled = idle.steps
        await asyncio.sleep(0.1)
        assert idle.steps == settled  # nothing due: it sleeps (an hour), no polling
        idle.woken.set()  # a reminder set, a refresh
        await _until(lambda: idle.steps == settled + 1)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_failing_job_does_not_stop_the_others() -> None:
    failing = Failing("failing", [0.0])
    other = Job("other", [0.0, 3600.0])
    task = asyncio.ensure_future(run_due([failing, other]))
    try:
        await _until(lambda: other.steps >= 2)
        other.woken.set()
        await _until(lambda: other.steps >= 3)
        assert failing.steps == other.steps
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
