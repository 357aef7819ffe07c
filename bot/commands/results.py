"""What a command returns, before any platform formats it (and who asked: ``Requester``,
defined with the events in bot/events.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.answer.models import Answer
from bot.events import Requester as Requester  # who asked: re-exported for the commands
from bot.feedback.report import FeedbackReport
from bot.reminders.models import Reminder
from bot.schedule.answer import ScheduleAnswer
from bot.search.index import PassageRecord, SessionRecord


@dataclass(slots=True, frozen=True)
class Notice:
    """A one-sentence reply: an error, a refusal, a cooldown. Shown privately where possible."""

    text: str
    kind: str = "error"  # error | refused | busy | cooldown | info
    ephemeral: bool = True


@dataclass(slots=True, frozen=True)
class AnswerReply:
    answer: Answer
    answer_id: str = ""  # what votes on this answer refer to (empty: votes not recorded)

    @property
    def ephemeral(self) -> bool:
        """An answer is public, a hedged one with its caveat and the other candidates after
        the quote; a decline is shown only to the asker, so a busy channel never sees "the
        notes don't cover this"."""
        return not self.answer.answered


@dataclass(slots=True, frozen=True)
class ScheduleReply:
    """An answer from the official schedule: when, where, who, what is on."""

    answer: ScheduleAnswer

    @property
    def ephemeral(self) -> bool:
        """Like a notes answer: public when it answers, private when it declines."""
        return not self.answer.answered


@dataclass(slots=True, frozen=True)
class SessionReply:
    session: SessionRecord
    opening: list[PassageRecord]  # the first passages of its notes
    ephemeral: bool = False


@dataclass(slots=True, frozen=True)
class SessionNotFound:
    query: str
    suggestions: list[str]
    ephemeral: bool = True
    ambiguous: bool = False  # several sessions have this title: the suggestions are them


@dataclass(slots=True, frozen=True)
class SessionList:
    query: str | None
    sessions: list[SessionRecord]  # this page
    page: int  # 0-based
    pages: int
    total: int
    ephemeral: bool = False


@dataclass(slots=True)
class ReloadReport:
    ok: bool
    sessions_before: int = 0
    sessions_after: int = 0
    passages_before: int = 0
    passages_after: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None  # why nothing was swapped in
    seconds: float = 0.0
    ephemeral: bool = True
    schedule_changes: list[str] = field(default_factory=list)  # new, cancelled, moved…


@dataclass(slots=True, frozen=True)
class HelpReply:
    prefix: str
    sessions: int
    ephemeral: bool = True


@dataclass(slots=True, frozen=True)
class ReportReply:
    """The organizers' report (admins only)."""

    report: FeedbackReport
    ephemeral: bool = True
    short: bool = False  # the figures only (a busy room)
    note: str = ""  # a line after the report


REMINDERS_PAGE = 20  # a Discord message holds 25 buttons: 20 cancel buttons + the pager


@dataclass(frozen=True, slots=True)
class ReminderList:
    """A person's pending reminders, soonest first (``!unremind N`` counts in this order)."""

    reminders: list[Reminder]
    page: int = 0
    per_page: int = REMINDERS_PAGE
    ephemeral: bool = True
    how_to_cancel: str = "!unremind N"  # as typed where it was asked (Discord: buttons)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.reminders) // self.per_page))

    @property
    def shown(self) -> list[Reminder]:
        return self.reminders[self.page * self.per_page:(self.page + 1) * self.per_page]


@dataclass(frozen=True, slots=True)
class Agenda:
    """The talks a person picked, in time order, and optionally as an .ics file."""

    reminders: list[Reminder]
    ics: bytes | None = None
    filename: str = "summit-agenda.ics"
    ephemeral: bool = True


Reply = AnswerReply | ScheduleReply | SessionReply | SessionNotFound | SessionList \
    | ReloadReport | Notice | HelpReply | ReportReply | ReminderList | Agenda
