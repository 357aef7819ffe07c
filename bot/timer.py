"""The one task that does what the clock says is due: "starting soon" posts and personal
reminders, side by side.

Each job says what is due now and how long until its next thing (``step``); the task
sleeps until the soonest of them, or until a job is woken (a reminder set, a refresh that
changed the programme). No polling: with nothing due it wakes once an hour anyway.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

log = logging.getLogger(__name__)

IDLE_SECONDS = 3600.0  # with nothing due, look again after this long anyway
FAULT_SECONDS = 60.0  # a job that failed is asked again after this long


class DueJob(Protocol):
    name: str
    woken: asyncio.Event  # set when the job should look again before its delay is up

    async def step(self) -> float:
        """Do what is due now; the seconds until the next thing is due."""
        ...


async def run_due(jobs: Sequence[DueJob]) -> None:
    """Run the jobs' steps until cancelled, sleeping until the soonest is due again."""
    while True:
        for job in jobs:
            job.woken.clear()  # before the step: a wake during it is not lost
        delays = []
        for job in jobs:
            try:
                delays.append(await job.step())
            except Exception:  # never the end of posts or reminders for the rest of the run
                log.exception("%s: failed; trying again in a minute", job.name)
                delays.append(FAULT_SECONDS)
        delay = min(delays, default=IDLE_SECONDS)
        if delay <= 0:
            continue
        waiters = [asyncio.ensure_future(job.woken.wait()) for job in jobs]
        try:
            await asyncio.wait(waiters, timeout=min(delay, IDLE_SECONDS),
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
