"""What the service tells its listeners after each question: a typed event, not log text.

It sits below the commands (bot/commands) and their listeners (bot/feedback, bot/ops,
logging), so that listeners never reach up into the commands to hear them.

Metrics count it, the question log writes its one line from it, and later listeners (such
as a record of unanswered questions for organizers) get the same facts without reaching into
the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.answer.highlight import snippet
from bot.answer.models import Answer
from bot.schedule.answer import ScheduleAnswer

Outcome = Literal["answered", "hedged", "declined"]


@dataclass(slots=True, frozen=True)
class Requester:
    """Who issued a command. ``is_admin`` is decided by the adapter from the platform's own
    facts (Discord permissions, Matrix power level) and the configured admin lists."""

    platform: str
    user_id: str
    is_admin: bool = False
    name: str = ""
    place: str = ""  # the server/room/channel asked in (hashed before it is stored)
    direct: bool = False  # a direct chat: the question's text is never kept


@dataclass(frozen=True, slots=True)
class QuestionEvent:
    platform: str  # "discord", "matrix", "console", "cli", …
    outcome: Outcome  # a confident quote, a hedged one, or a decline
    seconds: float  # from the question's arrival to its answer
    question: str  # as asked; listeners decide whether to keep it
    requester: Requester | None = None
    answer_id: str = ""
    session_title: str | None = None  # of the quoted passage
    passage_id: int | None = None
    passage: str | None = None
    confidence: float | None = None
    nearest: tuple[str, ...] = ()  # the closest sessions (see _closest)
    alternatives: tuple[tuple[str, str], ...] = ()  # (title, snippet) from other sessions

    @property
    def answered(self) -> bool:
        """A passage was quoted (confidently or hedged)."""
        return self.outcome != "declined"

    @classmethod
    def of(cls, answer: Answer, question: str, seconds: float,
           requester: Requester | None, answer_id: str = "") -> QuestionEvent:
        best = answer.best if answer.answered else None
        outcome: Outcome = ("declined" if best is None
                            else "answered" if answer.confident else "hedged")
        others = tuple((q.session.title, snippet(q.text)) for q in answer.alternatives
                       if best is None or q.session.id != best.session.id)
        return cls(platform=requester.platform if requester else "cli", outcome=outcome,
                   seconds=seconds, question=question, requester=requester,
                   answer_id=answer_id,
                   session_title=best.session.title if best else None,
                   passage_id=best.passage.id if best else None,
                   passage=best.text if best else None,
                   confidence=answer.confidence if best else None,
                   nearest=_closest(answer),
                   alternatives=others)


    @classmethod
    def of_schedule(cls, answer: ScheduleAnswer, question: str, seconds: float,
                    requester: Requester | None) -> QuestionEvent:
        """The same facts for an answer from the schedule (no passage, no votes)."""
        first = answer.talks[0].record.title if answer.answered and answer.talks else None
        outcome: Outcome = ("declined" if not answer.answered
                            else "answered" if answer.confident else "hedged")
        return cls(platform=requester.platform if requester else "cli", outcome=outcome,
                   seconds=seconds, question=question, requester=requester,
                   session_title=first, passage=answer.abstract if first else None,
                   confidence=answer.score if first else None,
                   nearest=tuple(answer.nearest[:3]))


def _closest(answer: Answer) -> tuple[str, ...]:
    """The sessions closest to the question: those a decline names, else the quoted one and
    those of its alternatives."""
    if not answer.answered or answer.best is None:
        return tuple(s.title for s in answer.nearest[:3])
    titles = [answer.best.session.title, *(q.session.title for q in answer.alternatives)]
    return tuple(dict.fromkeys(titles))[:3]


QuestionHook = Callable[[QuestionEvent], None]
ReloadHook = Callable[[bool], None]  # whether the reload swapped a new index in
VoteHook = Callable[[str, str], None]  # (platform, "up" or "down")
