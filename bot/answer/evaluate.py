"""Measuring answers against a question file, so admins can check their own notes.

A question file is a YAML list of ``{id, q, session, expect}``: ``session`` is the title of
the session that answers (null when the notes don't answer), and ``expect`` lists phrases a
right quoted passage contains verbatim. An optional ``split`` (``tune`` or ``check``) keeps
the questions constants are fitted on apart from those the figures are reported on.

A hedged answer (the closest passage, said to maybe not answer) counts for passage@1 when
its passage is right, and as a decline for a question the notes don't answer.
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
    split: str | None = None


class EvalFileError(Exception):
    """The question file is unusable; the message says which item and why."""


def load_items(path: Path, corpus: str | None = None, split: str | None = None
               ) -> list[EvalItem]:
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
    if split:
        items = [i for i in items if i.split == split]
    return items


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _flat(text: str) -> str:
    """As the shared scorer compares: no bold or code marks, whitespace collapsed."""
    return " ".join(text.replace("**", "").replace("__", "").replace("`", "").split())


def quote_is_right(quote: Quote, item: EvalItem) -> bool:
    """The quoted passage holds every expected phrase. The passage decides, not the title
    (better reading of the notes may rename a session); with no phrases, the title does."""
    if not item.expect:
        return item.session is not None and _norm(quote.session.title) == _norm(item.session)
    return passage_is_right(quote.text, item)


def passage_is_right(text: str, item: EvalItem) -> bool:
    """The passage holds every expected phrase."""
    flat = _flat(text)
    return all(_flat(phrase) in flat for phrase in item.expect)


@dataclass(slots=True)
class ItemResult:
    item: EvalItem
    answered: bool  # confidently or hedged
    confident: bool
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
            # declined or hedged: either way the bot did not claim an answer
            "declined_unanswerable": share([not r.confident for r in una]),
            "hedged_unanswerable": share([r.answered and not r.confident for r in una]),
            "declined_answerable": share([not r.answered for r in ans]),
            "hedged_answerable": share([r.answered and not r.confident for r in ans]),
            "confident_right": share([r.right_first for r in ans if r.confident]
                                     + [False for r in una if r.confident]),
        }

    def by_corpus(self) -> dict[str, dict[str, Any]]:
        """The same figures for each corpus the items name (when any names one)."""
        names = sorted({r.item.corpus for r in self.results if r.item.corpus})
        return {name: EvalReport([r for r in self.results if r.item.corpus == name]).figures()
                for name in names}

    def misses(self) -> list[ItemResult]:
        return [r for r in self.results
                if (r.item.session is None and r.confident)
                or (r.item.session is not None and not r.right_first)]


async def evaluate(answerer: Answerer, items: list[EvalItem]) -> EvalReport:
    report = EvalReport()
    for item in items:
        try:
            answer: Answer | None = await answerer.answer(parse_question(item.q))
        except QuestionProblem:
            answer = None
        if answer is None or not answer.answered or answer.best is None:
            report.results.append(ItemResult(item, False, False, False, False, None, None))
            continue
        shown = [answer.best, *answer.alternatives][:3]
        report.results.append(ItemResult(
            item=item, answered=True, confident=answer.confident,
            right_first=quote_is_right(answer.best, item),
            right_in_top3=any(quote_is_right(q, item) for q in shown),
            quoted_session=answer.best.session.title, quoted=answer.best.text,
        ))
    return report
