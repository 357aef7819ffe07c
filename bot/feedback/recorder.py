"""Turns each question event into a row of the state database."""

from __future__ import annotations

from bot.events import QuestionEvent
from bot.feedback.store import QuestionRow, StateStore


class QuestionRecorder:
    """A question hook: one row per question. A direct chat keeps only the outcome."""

    def __init__(self, store: StateStore):
        self.store = store

    def __call__(self, event: QuestionEvent) -> None:
        if not event.answer_id:
            return
        requester = event.requester
        direct = requester is not None and requester.direct
        row = QuestionRow(
            answer_id=event.answer_id, platform=event.platform, outcome=event.outcome,
            question=None if direct else event.question,
            session_title=event.session_title, passage_id=event.passage_id,
            passage=None if direct else event.passage, confidence=event.confidence,
            nearest=() if direct else event.nearest,
            alternatives=event.alternatives)
        self.store.record_question(
            row, raw_asker=requester.user_id if requester else None,
            raw_place=None if direct or requester is None else requester.place or None)
