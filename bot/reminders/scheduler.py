"""Sending reminders when they come due, and following the schedule.

The one timed task (bot/timer.py) sleeps until the next reminder is due (read from the state
database's index on due time: no polling), and is woken when someone sets a reminder or a
refresh changes the programme. Sending is exactly-once across restarts: the row gets the id
its message is sent with (a Discord nonce, a Matrix transaction id) before it is sent, and
is deleted after, so a crash in between sends it again with the same id, which the platform
keeps once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.reminders.book import Followed, ReminderBook, TalkNow
from bot.reminders.delivery import DirectSender
from bot.reminders.models import Reminder, from_seconds, talk_key
from bot.reminders.text import gone_text, moved_text, reminder_text
from bot.schedule.programme import Programme
from bot.timer import FAULT_SECONDS, IDLE_SECONDS

log = logging.getLogger(__name__)

RETRY_SECONDS = 30.0  # a message a platform did not take now is tried again this much later
SEND_SECONDS = 30.0  # one direct message may take this long before it is tried later
STEP_SECONDS = 20.0  # a step sends for this long at most, then lets the posts have a turn
LATE_GRACE = timedelta(minutes=1)  # sent this long after the start still says "starts now"

# (platform, outcome): sent, late (after the start: it came due while the bot was down),
# notified (the talk's cancellation), moved (the talk's new time or room), refused, dropped
# (its talk had ended)
SentHook = Callable[[str, str], None]


def new_ref() -> str:
    """A message id of ours: short enough for a Discord nonce (25 characters)."""
    return "r" + secrets.token_hex(10)


def talks_now(programme: Programme) -> dict[str, TalkNow]:
    return {talk_key(talk): TalkNow(talk.start, talk.finish, talk.title, talk.room,
                                    talk.record.url, talk.cancelled)
            for talk in programme.talks}


class ReminderScheduler:
    """Sends due reminders through the platforms' direct senders."""

    name = "reminders"

    def __init__(self, book: ReminderBook, clock: Clock, senders: Sequence[DirectSender],
                 programme_of: Callable[[], Programme | None]):
        self.book = book
        self.clock = clock
        self.senders = {sender.name: sender for sender in senders}
        self.programme_of = programme_of
        self.sent_hooks: list[SentHook] = []
        self.pending = 0  # rows waiting (for the gauge), refreshed after each change
        self.woken = asyncio.Event()
        self._lock = asyncio.Lock()  # sending and following never interleave
        self._followed: Programme | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Something changed (a reminder set, a refresh): look again at what is due."""
        self.woken.set()

    def programme_changed(self, ok: bool = True) -> None:
        """A reload hook: follow the new programme (off this call), then look again."""
        if not ok:
            return
        task = asyncio.ensure_future(self._follow_current())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _follow_current(self) -> None:
        try:
            await self.follow()
        except Exception:  # following never stops the bot; the next refresh tries again
            log.exception("reminders: following the new schedule failed")

    async def follow(self, programme: Programme | None = None) -> Followed | None:
        """Move reminders with their talks; turn those of cancelled talks into one message
        each. A schedule with no talks at all (a source dropped, an export failing) is not
        taken to cancel anything."""
        programme = programme if programme is not None else self.programme_of()
        if not programme:
            return None
        if programme is self._followed:
            return None
        async with self._lock:
            result = await self.book.follow(talks_now(programme),
                                            {t.summit for t in programme.talks},
                                            self.clock.now())
            self._followed = programme
        if result is None:
            log.warning("reminders: the state database failed; reminders follow the new "
                        "schedule at the next refresh")
        elif result.moved or result.cancelled:
            log.info("reminders: %d moved with %d talk(s); %d to be told their talk is "
                     "cancelled (%d talk(s))", result.moved, result.talks_moved,
                     result.cancelled, result.talks_cancelled)
        self.wake()
        return result

    async def start(self) -> None:
        """Follow the programme once and say what is pending (before the first step)."""
        await self._follow_current()
        pending = await self.book.pending()
        log.info("reminders: %s pending; sent by direct message on %s",
                 "?" if pending is None else pending,
                 ", ".join(self.senders) or "no platform that can send them")

    async def step(self) -> float:
        """Send what is due now; the seconds until the next thing is due. A long batch
        (a keynote's hundreds of reminders on a slow platform) stops after STEP_SECONDS
        and says "again at once", so the posts beside it in the timed task get a turn."""
        started = time.monotonic()
        async with self._lock:
            due = await self.book.due(self.clock.now())
            if due is None:
                return FAULT_SECONDS
            for reminder in due:
                if time.monotonic() - started > STEP_SECONDS:
                    return 0.0
                await self._deliver(reminder, self.clock.now())
            pending = await self.book.pending()
            if pending is None:
                return FAULT_SECONDS
            self.pending = pending
            if not pending:
                return IDLE_SECONDS
            nxt = await self.book.next_due()
        if nxt is None:
            return FAULT_SECONDS  # rows are pending, so the database failed
        return max(0.0, (from_seconds(nxt) - self.clock.now()).total_seconds())

    async def _deliver(self, reminder: Reminder, now: datetime) -> None:
        if now >= reminder.ends:  # too late to be of use (a notice of a cancelled talk too)
            log.info("reminders: dropped a message about %r: it came due while the bot was "
                     "down (or could not be sent) and the talk's time is over",
                     reminder.title)
            await self._done(reminder, "dropped", reminder.ref)
            return
        sender = self.senders.get(reminder.platform)
        if sender is None:  # that platform is not running in this process (yet)
            await self._later(reminder, reminder.ref, now)
            return
        ref = reminder.ref
        if ref is None:
            ref = new_ref()
            if not await self.book.set_ref(reminder.id, ref):
                return  # the database failed; the row is due still and is tried again
        text = reminder_text(reminder, now) if reminder.kind == "remind" \
            else moved_text(reminder) if reminder.kind == "moved" else gone_text(reminder)
        try:
            outcome = await asyncio.wait_for(sender.send_direct(reminder.user, text, ref),
                                             SEND_SECONDS)
        except Exception as exc:  # a timeout too: sent again with the same ref, kept once
            log.warning("reminders: %s failed to send a direct message (%s)", sender.name,
                        type(exc).__name__)
            outcome = "failed"
        if outcome == "sent":
            event = {"remind": "late" if now > reminder.start + LATE_GRACE else "sent",
                     "moved": "moved"}.get(reminder.kind, "notified")
            await self._done(reminder, event, ref)
        elif outcome == "refused":
            log.info("reminders: %s refused a direct message to a person; their reminder "
                     "of %r is dropped", sender.name, reminder.title)
            await self._done(reminder, "refused", ref)
        else:
            await self._later(reminder, ref, now)

    async def _later(self, reminder: Reminder, ref: str | None, now: datetime) -> None:
        """Try again shortly, until the talk's time is over."""
        retry = now + timedelta(seconds=RETRY_SECONDS)
        if retry >= reminder.ends:
            await self._done(reminder, "dropped", ref)
            return
        await self.book.retry_at(reminder, ref, retry)

    async def _done(self, reminder: Reminder, event: str, ref: str | None) -> None:
        """Forget the row (if it is still this attempt's) and count what happened."""
        if not await self.book.done(reminder, event, ref):
            return  # changed or cancelled meanwhile, or the database failed: not counted
        for hook in self.sent_hooks:
            try:
                hook(reminder.platform, event)
            except Exception:
                log.exception("a reminder listener failed")
