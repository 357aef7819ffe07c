"""Fits the answerer's re-scoring weights (bot/answer/answerer.py Weights) on the tune split.

    .venv/bin/python -m tests.eval.fit_weights

All corpora and the seed in one index. Each tune question's candidates are scored once
(their features do not depend on the weights); then a grid of weights is searched for the
most right passages first, ties broken by the most in the top 3 sessions. It prints the
figures of the current and the best weights on tune and, for information only, on check.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.answer import Answerer, parse_question
from bot.answer.answerer import Features, Weights
from bot.answer.evaluate import load_items, passage_is_right
from bot.corpus import load_corpus
from bot.search.build import build_index
from bot.search.index import Index
from tests.conftest import SHARED

PARAPHRASES = SHARED / "eval" / "paraphrase.yaml"
EARLY_GRID = [0.0, 0.5, 1.0, 2.0, 3.0, 5.0]

Candidates = list[tuple[Features, bool, int]]  # features, right passage, session id


async def _candidates(db: Path, split: str) -> list[Candidates]:
    index = await Index.open(db)
    try:
        answerer = await Answerer.create(index)
        out = []
        for item in load_items(PARAPHRASES, split=split):
            if item.session is None:
                continue
            trace: list = []
            await answerer.answer(parse_question(item.q), trace=trace)
            out.append([(s.features, passage_is_right(s.passage.text, item), s.passage.session_id)
                        for s in trace])
        return out
    finally:
        await index.close()


def figures(questions: list[Candidates], weights: Weights) -> tuple[int, int]:
    """Right passages first, and right among the first three sessions."""
    at1 = at3 = 0
    for cands in questions:
        if not cands:
            continue
        ranked = sorted(cands, key=lambda c: -weights.score(c[0]))
        at1 += ranked[0][1]
        sessions: list[int] = []
        for _features, right, sid in ranked:
            if sid in sessions:
                continue
            sessions.append(sid)
            if right:
                at3 += 1
                break
            if len(sessions) == 3:
                break
    return at1, at3


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "all.sqlite3"
        build_index(load_corpus([SHARED / "corpora", SHARED / "seed"]), db)
        tune = asyncio.run(_candidates(db, "tune"))
        check = asyncio.run(_candidates(db, "check"))
    best, best_figures = Weights(), figures(tune, Weights())
    for early in EARLY_GRID:
        weights = Weights(1.0, early)
        found = figures(tune, weights)
        if found > best_figures:
            best, best_figures = weights, found
    n_tune, n_check = len(tune), len(check)
    for label, weights in (("current", Weights()), ("fitted", best)):
        t1, t3 = figures(tune, weights)
        c1, c3 = figures(check, weights)
        print(f"{label:8} {weights}\n         tune p@1 {t1}/{n_tune} p@3 {t3}/{n_tune}; "
              f"check p@1 {c1}/{n_check} p@3 {c3}/{n_check}")


if __name__ == "__main__":
    main()
