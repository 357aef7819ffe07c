"""What an answer is, independent of how a platform shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.answer.confidence import Evidence
from bot.search.index import PassageRecord, SessionRecord


@dataclass(slots=True, frozen=True)
class Quote:
    """A passage to quote, with the spans of the words the question matched."""

    session: SessionRecord
    passage: PassageRecord
    text: str
    marks: tuple[tuple[int, int], ...]  # (start, end) character spans in text
    score: float


@dataclass(slots=True)
class Answer:
    """Three outcomes: a confident answer (``answered`` and ``confident``); a hedged one
    (``answered``, not ``confident``: the closest passage, said to maybe not answer); and a
    decline (not ``answered``), naming the closest sessions."""

    question: str
    answered: bool
    best: Quote | None = None
    alternatives: list[Quote] = field(default_factory=list)
    nearest: list[SessionRecord] = field(default_factory=list)  # when declining
    # Declined because the question only names what several sessions' names share ("what
    # did they say about Go?"): ``nearest`` are those sessions, for the asker to pick one.
    several: bool = False
    confidence: float = 0.0  # the probability that the best passage answers the question
    confident: bool = True
    evidence: Evidence | None = None  # what the confidence was judged from
    # The summit the question named ("at KubeCon") when nothing there matched and the
    # answer comes from the other notes (then it is never given as sure).
    elsewhere: str | None = None

    @property
    def hedged(self) -> bool:
        return self.answered and not self.confident

    def to_json(self) -> dict[str, Any]:
        """The stable ``--json`` shape of the CLI (an interface: change with care)."""
        return {
            "question": self.question,
            "answered": self.answered,
            "confident": self.answered and self.confident,
            "kind": "notes",
            "session": session_json(self.best.session) if self.best and self.answered else None,
            "sessions": [],
            "passage": self.best.text if self.best and self.answered else None,
            "score": round(self.best.score, 4) if self.best and self.answered else 0.0,
            # the probability that the quoted passage answers the question (0-1)
            "confidence": round(self.confidence, 4) if self.best else 0.0,
            "alternatives": [
                {"session": session_json(q.session), "passage": q.text,
                 "score": round(q.score, 4)}
                for q in self.alternatives
            ],
            "elsewhere": self.elsewhere,
            # a decline's closest sessions; "several": they all share what was asked about
            "nearest": [session_json(s) for s in self.nearest] if not self.answered else [],
            "several": self.several and not self.answered,
        }


def session_json(session: SessionRecord) -> dict[str, Any]:
    """A session as ``--json`` shows it: the notes' facts and its place in the schedule
    (``start``/``end`` ISO 8601 with the conference's UTC offset, or null)."""
    slot = session.slot
    return {
        "title": session.title,
        "speakers": list(session.speakers),
        "summit": session.summit,
        "source": session.source,  # the file or URL it was read from; "url" is the talk's
        "start": slot.start if slot else None,
        "end": slot.end if slot else None,
        "room": slot.room if slot else None,
        "track": session.track,
        "url": session.url,
        "cancelled": bool(slot and slot.cancelled),
    }
