"""The reminders' scheduler at scale: 10,000 pending reminders over 500 talks, and a
refresh that moves 50 of them.

Not a test: run it by hand,
    .venv/bin/python -m tests.benchmarks.bench_reminders
It builds a synthetic programme (500 talks over 3 days, 10 rooms; no real event), stores
10,000 reminders (2,000 people, 5 each, of random talks) in a fresh state database through
``ReminderBook.add`` (as ``remind`` does), then measures

- a refresh that changes nothing: ``ReminderScheduler.follow(programme)``;
- a refresh that moves 50 talks by an hour: ``follow`` (the reminders move with them);
- sending the news of the moves (each person whose talk moved is told once), then
  ``step()`` with nothing due (what the scheduler does each time it wakes), and with the
  reminders of the first talks due at once, sent through a sender that only counts;
- the event loop's largest stall while the move is followed (a coroutine ticking every
  10 ms), and the process's RSS before the reminders and after.

Each timing is the median of 5 runs (the move: 5 alternating moves back and forth).
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bot.corpus.models import Slot
from bot.feedback.store import StateStore
from bot.reminders.book import ReminderBook
from bot.reminders.delivery import Delivery
from bot.reminders.models import Reminder, talk_key
from bot.reminders.scheduler import ReminderScheduler
from bot.schedule.programme import Programme
from bot.search.index import SessionRecord

TALKS, PEOPLE, EACH, MOVED = 500, 2000, 5, 50
START = datetime.fromisoformat("2031-09-16T09:00:00+02:00")


class Clock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


class Counting:
    name = "discord"

    def __init__(self) -> None:
        self.sent = 0

    async def send_direct(self, user: str, text: str, ref: str) -> Delivery:
        self.sent += 1
        return "sent"


def programme(shift: set[int] = frozenset()) -> Programme:  # type: ignore[assignment]
    sessions = []
    for n in range(TALKS):
        day, slot = divmod(n, TALKS // 3 + 1)
        start = START + timedelta(days=day, minutes=30 * (slot // 10))
        if n in shift:
            start += timedelta(hours=1)
        sessions.append(SessionRecord(
            id=n, title=f"Talk number {n} about topic {n % 37}", speakers=(f"Speaker {n}",),
            summit="Bench Summit", date=None, track=None, tags=(), url=None, aliases=(),
            source="bench", fingerprint="", passage_count=0,
            slot=Slot(start=start.isoformat(),
                      end=(start + timedelta(minutes=25)).isoformat(), room=f"Room {n % 10}",
                      timezone="Europe/Berlin", uid=f"uid-{n}")))
    return Programme.of(sessions, {})


def rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def timed(work: object) -> float:
    started = time.perf_counter()
    await work  # type: ignore[misc]
    return time.perf_counter() - started


async def main() -> None:
    rng = random.Random(7)
    base = programme()
    before = rss_mib()
    with tempfile.TemporaryDirectory() as folder:
        store = StateStore(Path(folder) / "state.sqlite3")
        book = ReminderBook(store)
        clock = Clock(START - timedelta(days=1))
        sender = Counting()
        scheduler = ReminderScheduler(book, clock, [sender], lambda: base)
        talks = base.talks
        started = time.perf_counter()
        for person in range(PEOPLE):
            for talk in rng.sample(talks, EACH):
                await book.add(Reminder(
                    id=0, platform="discord", user=str(10**17 + person), talk=talk_key(talk),
                    title=talk.title, start=talk.start, minutes=rng.choice((5, 10, 15)),
                    room=talk.room, zone="Europe/Berlin", summit=talk.summit,
                    finish=talk.finish))
        adding = time.perf_counter() - started
        pending = await book.pending()
        after = rss_mib()
        print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
        print(f"{pending:,} pending reminders of {PEOPLE:,} people over {TALKS} talks; "
              f"stored in {adding:.1f} s ({adding / (pending or 1) * 1e3:.2f} ms each, "
              "awaited one by one)")
        await scheduler.follow(base)
        same = []
        for _ in range(5):
            scheduler._followed = None  # measure the work, not the shortcut
            same.append(await timed(scheduler.follow(base)))
        moves, stalls, moved_rows = [], [], 0
        shifted = set(rng.sample(range(TALKS), MOVED))
        for n in range(5):
            target = programme(shifted) if n % 2 == 0 else base
            stop = asyncio.Event()
            gaps: list[float] = []

            async def tick(gaps: list[float] = gaps, stop: asyncio.Event = stop) -> None:
                last = time.perf_counter()
                while not stop.is_set():
                    await asyncio.sleep(0.01)
                    now = time.perf_counter()
                    gaps.append(now - last - 0.01)
                    last = now

            ticker = asyncio.ensure_future(tick())
            await asyncio.sleep(0.02)
            started = time.perf_counter()
            result = await scheduler.follow(target)
            moves.append(time.perf_counter() - started)
            stop.set()
            await ticker
            stalls.append(max(gaps, default=0.0))
            if result is not None and n == 0:
                moved_rows = result.moved
        # each move told its people once (a second move replaced the untold news): sent now
        news = 0.0
        while True:
            took = await timed(scheduler.step())
            news += took
            if not await book.due(clock.now(), limit=1):
                break
        told = sender.sent
        sender.sent = 0
        idle = []
        for _ in range(5):
            idle.append(await timed(scheduler.step()))
        # 200 due at once: the first talks' reminders, at the first start
        clock.moment = START + timedelta(minutes=1)
        burst = await timed(scheduler.step())
        print(f"refresh, nothing changed: follow {statistics.median(same) * 1e3:.1f} ms")
        print(f"refresh moving {MOVED} talks ({moved_rows:,} reminders moved): follow "
              f"{statistics.median(moves) * 1e3:.1f} ms (median of 5); largest event-loop "
              f"stall {max(stalls) * 1e3:.1f} ms")
        print(f"news of the moves: {told:,} messages sent in {news * 1e3:.0f} ms")
        print(f"step with nothing due: {statistics.median(idle) * 1e3:.2f} ms")
        print(f"step with reminders due: {sender.sent} sent in {burst * 1e3:.0f} ms "
              f"({burst / (sender.sent or 1) * 1e3:.2f} ms each)")
        print(f"RSS: {before:.0f} MiB before the reminders, {after:.0f} MiB with "
              f"{pending:,} stored (+{after - before:.1f} MiB)")
        store.close()


if __name__ == "__main__":
    asyncio.run(main())
