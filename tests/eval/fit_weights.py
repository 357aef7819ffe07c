"""Fits how a candidate's score adds up (bot/answer/answerer.py Weights) on train + tune.

    .venv/bin/python -m tests.eval.fit_weights [--semantic all-MiniLM-L6-v2 --db FILE]

All corpora and the seed in one index. Each tune question's candidates are scored once
(their features do not depend on the weights); then a grid of weights is searched for the
most right passages first, ties broken by the most in the top 3 sessions, then by the
smaller weights. Without the semantic extra only the position prior is fitted (the BM25
weight is the unit); with it, the weights of the passage's and of its closest sentence's
cosine similarity too. It prints the
figures of the current and the best weights on tune and, for information only, on check,
and what the search is worth on fit questions it did not see (cross-validated).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from pathlib import Path

import numpy as np

from bot.answer import parse_question
from bot.answer.answerer import Features, Weights
from bot.answer.evaluate import passage_is_right
from tests.eval.paraphrase_index import (
    add_arguments,
    fit_items,
    open_answerer,
    paraphrase_index,
    split_items,
)

EARLY_GRID = [0.0, 0.5, 1.0, 2.0, 3.0, 5.0]
SEMANTIC_GRID = [0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]
SENTENCE_GRID = [0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0]

Candidates = list[tuple[Features, bool, int]]  # features, right passage, session id


async def _candidates(db: Path, split: str) -> tuple[list[Candidates], Weights]:
    index, answerer = await open_answerer(db)
    try:
        out = []
        for item in (fit_items() if split == "fit" else split_items(split)):
            if item.session is None:
                continue
            trace: list = []
            await answerer.answer(parse_question(item.q), trace=trace)
            out.append([(s.features, passage_is_right(s.passage.text, item), s.passage.session_id)
                        for s in trace])
        return out, answerer.weights
    finally:
        await index.close()


def figures(questions: list[Candidates], weights: Weights) -> tuple[int, int]:
    """Right passages first, and right among the first three (the answer and its two
    alternatives, as the bot shows them)."""
    at1 = at3 = 0
    for cands in questions:
        if not cands:
            continue
        ranked = sorted(cands, key=lambda c: -weights.score(c[0]))
        at1 += ranked[0][1]
        at3 += any(right for _features, right, _sid in ranked[:3])
    return at1, at3


def _best(questions: list[Candidates], grid: list[tuple[float, float, float]]) -> Weights:
    """The grid point with the most right passages first (ties: most in the top 3, then the
    smaller weights)."""
    best, best_key = Weights(), (-1, -1, 0.0)
    for early, semantic, sentence in grid:
        weights = Weights(1.0, early, semantic, sentence)
        at1, at3 = figures(questions, weights)
        key = (at1, at3, -(early + semantic + sentence))
        if key > best_key:
            best, best_key = weights, key
    return best


def held_out(questions: list[Candidates], grid: list[tuple[float, float, float]],
             shuffles: int = 3, folds: int = 5) -> float:
    """Right passages first when each fifth is scored with the grid point chosen on the
    other four (averaged over shuffles, fixed seed): what the search is worth on questions
    it did not see, where its in-sample figure flatters it."""
    rng = np.random.default_rng(0)
    total = 0
    for _ in range(shuffles):
        fold_of = rng.permutation(len(questions)) % folds
        for k in range(folds):
            fitted = _best([q for q, f in zip(questions, fold_of, strict=True) if f != k], grid)
            total += figures([q for q, f in zip(questions, fold_of, strict=True) if f == k],
                             fitted)[0]
    return total / shuffles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    with paraphrase_index(args.db, args.semantic) as db:
        tune, current = asyncio.run(_candidates(db, "fit"))
        check, _ = asyncio.run(_candidates(db, "check"))
    semantic_grid = SEMANTIC_GRID if args.semantic else [0.0]
    sentence_grid = SENTENCE_GRID if args.semantic else [0.0]
    grid = list(itertools.product(EARLY_GRID, semantic_grid, sentence_grid))
    best = _best(tune, grid)
    n_tune, n_check = len(tune), len(check)
    for label, weights in (("current", current), ("fitted", best)):
        t1, t3 = figures(tune, weights)
        c1, c3 = figures(check, weights)
        print(f"{label:8} {weights}\n         fit p@1 {t1}/{n_tune} p@3 {t3}/{n_tune}; "
              f"check p@1 {c1}/{n_check} p@3 {c3}/{n_check}")
    print(f"the search, held out (5 folds x 3 shuffles): p@1 {held_out(tune, grid):.1f}/{n_tune}")


if __name__ == "__main__":
    main()
