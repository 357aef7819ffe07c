"""The reminder commands: remind, reminders, unremind, agenda.

Platform-neutral, like the rest of ``bot/commands``: a reminder is stored (and the write
awaited) before the bot says it is set, and the person's direct chat is proven with a short
confirmation first; if their platform refuses it, nothing is kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace

from rapidfuzz import fuzz, process, utils

from bot.clock import Clock
from bot.commands.results import Agenda, Notice, ReminderList, Requester
from bot.reminders.book import ReminderBook
from bot.reminders.delivery import DirectSender
from bot.reminders.ics import agenda_ics
from bot.reminders.models import (
    DEFAULT_MINUTES,
    MAX_MINUTES,
    MAX_PER_PERSON,
    Reminder,
    talk_key,
)
from bot.reminders.scheduler import ReminderScheduler, new_ref
from bot.reminders.text import confirmation_text, set_text, where_when
from bot.schedule.programme import Programme, Talk, plain_tokens
from bot.schedule.timetext import clock_text
from bot.search.tokenizer import tokenize

log = logging.getLogger(__name__)

LABEL_CHARS = 100
AMBIGUOUS_LISTED = 5
CLOSE_SCORE = 0.8  # a talk scoring this share of the best one is as likely meant
# "15 iridium", "15min iridium", "15 minutes iridium"; not "3D printing" or "5G security"
_MINUTES_FIRST = re.compile(r"^\s*(-?\d+)(?:\s*min(?:ute)?s?)?\s+(\S.*)$", re.S)
STORE_FAILED = ("I cannot store reminders right now (the bot's state database is failing); "
                "please try again in a few minutes.")


def talk_label(talk: Talk) -> str:
    """"Title · Sat 28 Dec 16:00 · Saal 1": what a pick list shows (titles repeat)."""
    local = talk.local(talk.start)
    tail = f" · {local:%a} {local.day} {local:%b %H:%M}" + (f" · {talk.room}" if talk.room
                                                            else "")
    room = LABEL_CHARS - len(tail)
    title = talk.title if len(talk.title) <= room else talk.title[:room - 1].rstrip() + "…"
    return title + tail


def read_minutes(text: str) -> int | None:
    """Whole minutes from 0 to MAX_MINUTES, or None."""
    try:
        minutes = int(text.strip())
    except ValueError:
        return None
    return minutes if 0 <= minutes <= MAX_MINUTES else None


def split_minutes(words: str) -> tuple[str | None, str]:
    """``!remind 15 iridium`` → ("15", "iridium"); ``!remind iridium`` → (None, …)."""
    found = _MINUTES_FIRST.match(words)
    if found and found.group(2).strip():
        return found.group(1), found.group(2).strip()
    return None, words.strip()


class ReminderDesk:
    """The reminder commands over the serving programme and the state database."""

    def __init__(self, book: ReminderBook, scheduler: ReminderScheduler, clock: Clock,
                 programme_of: Callable[[], Programme | None], prefix: str = "!"):
        self.book = book
        self.scheduler = scheduler
        self.clock = clock
        self.programme_of = programme_of
        self.prefix = prefix

    def _say(self, requester: Requester, command: str, example: str = "") -> str:
        """How the person types a command where they are: ``/remind`` on Discord (its
        options are named there), ``!remind 15 keynote`` elsewhere."""
        if requester.platform == "discord":
            return f"/{command}"
        return f"{self.prefix}{command}" + (f" {example}" if example else "")

    @property
    def senders(self) -> dict[str, DirectSender]:
        return self.scheduler.senders

    # --- finding the talk ------------------------------------------------------------------
    def choices(self, current: str, limit: int) -> list[tuple[str, str]]:
        """(label, talk key) of upcoming talks for a partly typed title or speaker."""
        programme = self.programme_of()
        if not programme:
            return []
        now = self.clock.now()
        upcoming = [t for t in programme.talks
                    if t.start > now and not t.cancelled and not t.service]
        current = current.strip()
        if not current:
            picked = upcoming[:limit]
        else:
            names = {n: " ".join([t.title, *t.record.speakers])
                     for n, t in enumerate(upcoming)}
            found = process.extract(current, names, scorer=fuzz.WRatio,
                                    processor=utils.default_process, limit=limit,
                                    score_cutoff=50)
            picked = [upcoming[n] for _, _, n in found]
        return [(talk_label(t), talk_key(t)) for t in picked]

    def _find(self, programme: Programme, words: str) -> list[Talk]:
        """The talk a key, label or a few title words name; several when unsure."""
        wanted = words.strip()
        by_key = [t for t in programme.talks if talk_key(t) == wanted]
        if by_key:
            return by_key
        folded = wanted.casefold()
        exact = [t for t in programme.talks
                 if folded in (t.title.casefold(), talk_label(t).casefold())]
        if exact:
            return exact
        terms = tokenize(wanted)
        ranked = programme.search(terms)
        if not ranked:
            return []
        best = ranked[0][1]
        close = [n for n, score in ranked if score >= CLOSE_SCORE * best]
        held = [n for n in close if programme.title_held(n, terms)]
        return [programme.talks[n] for n in (held if len(held) == 1 else close)]

    # --- commands --------------------------------------------------------------------------
    async def remind_text(self, requester: Requester, text: str) -> Notice:
        """``!remind [minutes] title words``: a leading number is the minutes, unless it is
        out of range and a title holds it ("!remind 2038 problem")."""
        minutes, words = split_minutes(text)
        if minutes is not None and read_minutes(minutes) is None:
            programme = self.programme_of()
            if programme and any(minutes in plain_tokens(t.title) for t in programme.talks):
                minutes, words = None, text.strip()
        return await self.remind(requester, words, minutes)

    async def remind(self, requester: Requester, words: str, minutes_text: str | None
                     ) -> Notice:
        minutes = DEFAULT_MINUTES if minutes_text in (None, "") else \
            read_minutes(minutes_text or "")
        if minutes is None:
            example = self._say(requester, "remind", "15 " + (words.strip() or "keynote"))
            return Notice(f"Give the minutes as a whole number from 0 to {MAX_MINUTES}, "
                          f"e.g. {example}.")
        if not words.strip():
            return Notice(f"Name the talk, e.g. {self._say(requester, 'remind', '15 keynote')}.")
        programme = self.programme_of()
        if not programme:
            return Notice("No schedule is indexed, so I know no talk times to remind you of; "
                          "an admin can add one under schedule.sources.", kind="info")
        sender = self.senders.get(requester.platform)
        if sender is None:
            return Notice("Reminders are sent by direct message, which this chat cannot "
                          "take; ask me on Discord or Matrix.", kind="info")
        talks = self._find(programme, words)
        now = self.clock.now()
        if not talks:
            return Notice(f"No talk in the schedule matches \u201c{_short(words)}\u201d; "
                          f"{self._say(requester, 'schedule')} lists them.")
        upcoming = [t for t in talks if t.start > now and not t.cancelled]
        if len(talks) > 1 and len(upcoming) == 1:
            talks = upcoming  # a repeated workshop whose first run is over: the next one
        if len(talks) > 1:
            upcoming = upcoming or talks
            listed = "; ".join(talk_label(t) for t in upcoming[:AMBIGUOUS_LISTED])
            more = f" and {len(upcoming) - AMBIGUOUS_LISTED} more" \
                if len(upcoming) > AMBIGUOUS_LISTED else ""
            return Notice(f"Several talks match \u201c{_short(words)}\u201d: {listed}{more}; "
                          "which one? Give more of its title.", kind="info")
        talk = talks[0]
        if talk.cancelled:
            return Notice(f"{talk.title} is cancelled, so there is nothing to remind you of.",
                          kind="info")
        if talk.start <= now:
            return Notice(f"{talk.title} already started ({clock_text(talk.local(talk.start))}"
                          "); pick a talk still to come.", kind="info")
        slot = talk.record.slot
        reminder = Reminder(id=0, platform=requester.platform, user=requester.user_id,
                            talk=talk_key(talk), title=talk.title, start=talk.start,
                            minutes=minutes, room=talk.room, url=talk.record.url,
                            zone=slot.timezone if slot else None, summit=talk.summit,
                            finish=talk.finish)
        added = await self.book.add(reminder)
        if added is None:
            return Notice(STORE_FAILED, kind="busy")
        outcome, before = added
        if outcome == "full":
            return Notice(f"You have {MAX_PER_PERSON} reminders, the most I keep for one "
                          f"person; cancel one ({self._say(requester, 'reminders')}) to set "
                          "another.",
                          kind="refused")
        changed = outcome == "changed"
        try:
            delivered = await sender.send_direct(requester.user_id,
                                                 confirmation_text(reminder, changed),
                                                 new_ref())
        except Exception:
            log.exception("reminders: the confirmation by direct message failed")
            delivered = "failed"
        if delivered != "sent":
            return await self._unconfirmed(requester, reminder, before, delivered)
        self.scheduler.wake()
        chat = {"discord": "a direct message", "console": "this terminal"}.get(
            requester.platform, "our direct chat")
        return Notice(set_text(reminder, changed, chat), kind="info")

    async def _unconfirmed(self, requester: Requester, reminder: Reminder,
                           before: int | None, delivered: str) -> Notice:
        """The confirmation could not be sent: a new reminder is not kept; a change is
        undone (the reminder the person had stays as it was)."""
        if before is not None:
            restored = await self.book.add(replace(reminder, minutes=before))
            if restored is not None:
                return Notice(f"I could not confirm the change by direct message, so your "
                              f"reminder stays at {before} min before {reminder.title}; "
                              "please try again in a minute.", kind="busy")
        await self.book.withdraw(reminder, "undeliverable")  # nothing is kept
        if delivered == "refused" and requester.platform == "discord":
            return Notice("I cannot send you direct messages (your privacy settings "
                          "refuse them), so no reminder is set; allow direct messages "
                          "from this server's members and try again.", kind="refused")
        if delivered == "refused":
            return Notice("I cannot open a direct chat with you (your server refused "
                          "the invitation), so no reminder is set; start a direct chat "
                          "with me and ask there.", kind="refused")
        return Notice("I could not open a direct chat with you just now, so no "
                      "reminder is set; please try again in a minute.", kind="busy")

    async def _mine(self, requester: Requester, what: str) -> list[Reminder] | Notice:
        """The person's reminders, or the sentence that they cannot be read now."""
        mine = await self.book.of_person(requester.platform, requester.user_id)
        if mine is None:
            return Notice(f"I cannot read {what} right now (the bot's state database is "
                          "failing); please try again in a few minutes.", kind="busy")
        return mine

    async def list(self, requester: Requester, page: int = 0) -> ReminderList | Notice:
        mine = await self._mine(requester, "reminders")
        if isinstance(mine, Notice):
            return mine
        if not mine:
            return Notice(f"You have no reminders; set one with "
                          f"{self._say(requester, 'remind', '10 keynote')}.", kind="info")
        listing = ReminderList(mine, how_to_cancel=self._say(requester, "unremind", "N"))
        return replace(listing, page=min(max(page, 0), listing.pages - 1))

    async def cancel(self, requester: Requester, which: str) -> Notice:
        """``unremind N``: N counts in the order ``reminders`` lists them."""
        mine = await self._mine(requester, "your reminders")
        if isinstance(mine, Notice):
            return mine
        try:
            number = int(which.strip().lstrip("#"))
        except ValueError:
            number = 0
        if not 1 <= number <= len(mine):
            if not mine:
                return Notice("You have no reminders to cancel.", kind="info")
            return Notice(f"Give the number of a reminder from 1 to {len(mine)}, as "
                          f"{self._say(requester, 'reminders')} lists them, e.g. "
                          f"{self._say(requester, 'unremind', '1')}.")
        return await self.cancel_id(requester, mine[number - 1].id)

    async def cancel_id(self, requester: Requester, reminder_id: int) -> Notice:
        """Cancel one of the person's own reminders by its id (a Discord button)."""
        found = await self.book.cancel(requester.platform, requester.user_id, reminder_id)
        if found is None:
            return Notice(STORE_FAILED.replace("store", "cancel"), kind="busy")
        (gone,) = found
        if gone is None:
            return Notice("That reminder is no longer pending (sent, cancelled, or not "
                          "yours); nothing changed.", kind="info")
        self.scheduler.wake()
        return Notice(f"Cancelled your reminder of {gone.title} ({where_when(gone)}).",
                      kind="info")

    async def agenda(self, requester: Requester, ics: bool = False) -> Agenda | Notice:
        mine = await self._mine(requester, "your agenda")
        if isinstance(mine, Notice):
            return mine
        if not mine:
            return Notice(f"Your agenda is empty: it holds the talks you set reminders for "
                          f"({self._say(requester, 'remind')}).", kind="info")
        return Agenda(mine, agenda_ics(mine, self.clock.now()) if ics else None)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
