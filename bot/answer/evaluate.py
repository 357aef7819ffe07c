"""Measuring answers against a question file, so admins can check their own notes.

A question file is a YAML list of ``{id, q, session, expect}``: ``session`` is the title of
the session that answers (null when the notes don't answer), and ``expect`` lists phrases a
right quoted passage contains verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.answer.answerer import Answerer
from bot.answer.models import Answer, Quote
from bot.answer.question import QuestionProblem, parse_question


class EvalItem(BaseModel):
    id: str
    q: str
    session: str | None = None
    expect: list[str] = []
    corpus: str | None = None


class EvalFileError(Exception):
    """The question file is unusable; the message says which item and why."""


def load_items(path: Path, corpus: str | None = None) -> list[EvalItem]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EvalFileError(f"{path}: cannot be read as YAML ({exc})") from exc
    if not isinstance(data, list):
        raise EvalFileError(f"{path}: must be a list of questions")
    items = []
    for n, raw in enumerate(data, start=1):
        try:
            items.append(EvalItem.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise EvalFileError(f"{path}: item {n}: '{key}' {first['msg']}") from exc
    if corpus:
        items = [i for i in items if i.corpus == corpus]
    return items


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def quote_is_right(quote: Quote, item: EvalItem) -> bool:
    """The quote is from the expected session and holds one of the expected phrases."""
    if item.session is not None and _norm(quote.session.title) != _norm(item.session):
        return False
    if not item.expect:
        return True
    text = _norm(quote.text)
    return any(_norm(phrase) in text for phrase in item.expect)


@dataclass(slots=True)
class ItemResult:
    item: EvalItem
    answered: bool
    right_first: bool
    right_in_top3: bool
    quoted_session: str | None
    quoted: str | None


@dataclass(slots=True)
class EvalReport:
    results: list[ItemResult] = field(default_factory=list)

    @property
    def answerable(self) -> list[ItemResult]:
        return [r for r in self.results if r.item.session is not None]

    @property
    def unanswerable(self) -> list[ItemResult]:
        return [r for r in self.results if r.item.session is None]

    def figures(self) -> dict[str, Any]:
        ans, una = self.answerable, self.unanswerable

        def share(values: list[bool]) -> float:
            return round(sum(values) / len(values), 4) if values else 0.0

        return {
            "questions": len(self.results),
            "answerable": len(ans),
            "unanswerable": len(una),
            "passage_at_1": share([r.right_first for r in ans]),
            "passage_at_3": share([r.right_in_top3 for r in ans]),
            "declined_unanswerable": share([not r.answered for r in una]),
            "declined_answerable": share([not r.answered for r in ans]),
        }

    def misses(self) -> list[ItemResult]:
        return [r for r in self.results
                if (r.item.session is None and r.answered)
                or (r.item.session is not None and not r.right_first)]


async def evaluate(answerer: Answerer, items: list[EvalItem]) -> EvalReport:
    report = EvalReport()
    for item in items:
        try:
            answer: Answer | None = await answerer.answer(parse_question(item.q))
        except QuestionProblem:
            answer = None
        if answer is None or not answer.answered or answer.best is None:
            report.results.append(ItemResult(item, False, False, False, None, None))
            continue
        shown = [answer.best, *answer.alternatives][:3]
        report.results.append(ItemResult(
            item=item, answered=True,
            right_first=quote_is_right(answer.best, item),
            right_in_top3=any(quote_is_right(q, item) for q in shown),
            quoted_session=answer.best.session.title, quoted=answer.best.text,
        ))
    return report
