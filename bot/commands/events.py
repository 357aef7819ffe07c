"""What the service tells its listeners after each question: a typed event, not log text.

Metrics count it, the question log writes its one line from it, and later listeners (such
as a record of unanswered questions for organizers) get the same facts without reaching into
the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.answer.models import Answer
from bot.commands.results import Requester

Outcome = Literal["answered", "hedged", "declined"]


@dataclass(frozen=True, slots=True)
class QuestionEvent:
    platform: str  # "discord", "matrix", "console", "cli", …
    outcome: Outcome  # a confident quote, a hedged one, or a decline
    seconds: float  # from the question's arrival to its answer
    question: str  # as asked; listeners decide whether to keep it
    requester: Requester | None = None
    session_title: str | None = None  # of the quoted passage
    passage_id: int | None = None
    confidence: float | None = None

    @property
    def answered(self) -> bool:
        """A passage was quoted (confidently or hedged)."""
        return self.outcome != "declined"

    @classmethod
    def of(cls, answer: Answer, question: str, seconds: float,
           requester: Requester | None) -> QuestionEvent:
        best = answer.best if answer.answered else None
        outcome: Outcome = ("declined" if best is None
                            else "answered" if answer.confident else "hedged")
        return cls(platform=requester.platform if requester else "cli", outcome=outcome,
                   seconds=seconds, question=question, requester=requester,
                   session_title=best.session.title if best else None,
                   passage_id=best.passage.id if best else None,
                   confidence=answer.confidence if best else None)


QuestionHook = Callable[[QuestionEvent], None]
ReloadHook = Callable[[bool], None]  # whether the reload swapped a new index in
