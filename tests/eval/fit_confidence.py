"""Fits the confidence model (bot/answer/confidence.py FITTED) on the train and tune splits
(train.yaml and paraphrase.yaml's tune), and prints it in the form written there.

    .venv/bin/python -m tests.eval.fit_confidence [--semantic all-MiniLM-L6-v2 --db FILE]

All corpora and the seed in one index, as the figures are reported. Every fit question
is answered once; its Evidence and whether the best passage is right (never, for a question
the notes don't answer) are the data. A logistic regression (Newton's method, with an L2
penalty chosen by 5-fold cross-validation, so that a few questions cannot pull a weight
far) gives the probability of being right. Then two cut-offs, chosen for people:

- hedged_at: the highest that keeps answerable questions declined at 2.5% or less, half
  the 5% target, as a margin for questions not fitted on;
- confident_at: judged on cross-validated probabilities (each question scored by a model
  that did not see it, averaged over five shuffles of five folds), since in-sample figures
  flatter the model. Sure answers for at least a quarter of the answerable questions (the
  issue's floor is a fifth; the rest is a margin for questions not fitted on); below that
  cut-off, the lowest (the largest share) at which at least 75% of the sure answers are
  right and at most 15% of the questions the notes do not answer are answered as sure (it
  used to stop at the first cut-off that missed either, so a dip at one question decided).
  An earlier rule (75% right and at most 5% of unanswerable ones sure, in-sample) left 6%
  of check's questions sure: a hedge on nearly every answer, which tells a reader nothing.

The precision-coverage table on check is printed for the README, for information only.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.answer import parse_question
from bot.answer.confidence import FEATURES, ConfidenceModel, Evidence
from bot.answer.evaluate import EvalItem, quote_is_right
from tests.eval.paraphrase_index import (
    add_arguments,
    fit_items,
    open_answerer,
    paraphrase_index,
    split_items,
)

MAX_ANSWERABLE_DECLINED = 0.025
MIN_CONFIDENT_SHARE = 0.25  # the floor is 20% of answerable questions
MIN_CONFIDENT_RIGHT = 0.75  # the target is 70% on questions not fitted on
MAX_UNANSWERABLE_CONFIDENT = 0.15
SHUFFLES = 5
L2_GRID = [0.3, 1.0, 3.0, 10.0, 30.0, 100.0]  # chosen by 5-fold cross-validation on tune
FOLDS = 5

Row = tuple[bool, Evidence | None, bool]  # answerable, evidence (None: nothing found), right


async def _rows(db: Path, items: list[EvalItem]) -> list[Row]:
    index, answerer = await open_answerer(db)
    try:
        rows: list[Row] = []
        for item in items:
            answer = await answerer.answer(parse_question(item.q))
            right = answer.best is not None and quote_is_right(answer.best, item)
            rows.append((item.session is not None, answer.evidence,
                         right and item.session is not None))
        return rows
    finally:
        await index.close()


def _cross_validated_l2(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    """The L2 strength with the lowest held-out log loss over FOLDS folds of tune."""
    folds = np.arange(len(y)) % FOLDS
    best, best_loss = L2_GRID[0], float("inf")
    for l2 in L2_GRID:
        loss = 0.0
        for k in range(FOLDS):
            train, held = folds != k, folds == k
            w, b, _, _ = _fit(x[train], y[train], l2)
            p = 1.0 / (1.0 + np.exp(-(x[held] @ w + b)))
            p = np.clip(p, 1e-6, 1 - 1e-6)
            loss -= float((y[held] * np.log(p) + (1 - y[held]) * np.log(1 - p)).sum())
        print(f"  L2 {l2:<6} held-out log loss {loss / len(y):.4f}")
        if loss < best_loss:
            best, best_loss = l2, loss
    return best


def _cross_validated_probabilities(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                                   l2: float) -> npt.NDArray[np.float64]:
    """Each row's probability from models fitted without it, averaged over SHUFFLES
    shuffles of FOLDS folds (a fixed seed, so a rerun gives the same cut-off)."""
    rng = np.random.default_rng(0)
    out = np.zeros(len(y))
    for _ in range(SHUFFLES):
        folds = rng.permutation(len(y)) % FOLDS
        for k in range(FOLDS):
            train, held = folds != k, folds == k
            w, b, _, _ = _fit(x[train], y[train], l2)
            out[held] += 1.0 / (1.0 + np.exp(-(x[held] @ w + b)))
    return out / SHUFFLES


def _confident_at(p: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                  answerable: npt.NDArray[np.bool_], held: npt.NDArray[np.bool_]) -> float:
    """The cut-off by the rule in the module's docstring, from held-out probabilities ``p``
    (``held``: the passage holds a word of the question, else never sure)."""
    cuts = sorted({round(float(v), 4) for v in p}, reverse=True)
    chosen: float | None = None
    for cut in cuts:
        sure = (p >= cut) & held
        share = (sure & answerable).sum() / answerable.sum()
        if chosen is None:  # still above the floor's cut-off
            if share >= MIN_CONFIDENT_SHARE:
                chosen = cut
            continue
        right = float(y[sure & answerable].mean())
        wrongly = (sure & ~answerable).sum() / max(int((~answerable).sum()), 1)
        if right >= MIN_CONFIDENT_RIGHT and wrongly <= MAX_UNANSWERABLE_CONFIDENT:
            chosen = cut  # the largest share that still meets both, past any dip
    return 1.0 if chosen is None else chosen


def _fit(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], l2: float
         ) -> tuple[npt.NDArray[np.float64], float, npt.NDArray[np.float64],
                    npt.NDArray[np.float64]]:
    """Logistic regression on standardised features; returns raw-scale weights."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / std])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty * w
        hess = (z.T * (p * (1 - p))) @ z + np.diag(penalty)
        w -= np.linalg.solve(hess, grad)
    weights = w[1:] / std
    intercept = float(w[0] - (w[1:] * mean / std).sum())
    return weights, intercept, mean, std


def _outcome(model: ConfidenceModel, evidence: Evidence | None) -> str:
    return "declined" if evidence is None else model.judge(evidence)


def _figures(model: ConfidenceModel, rows: list[Row]) -> str:
    answerable = [r for r in rows if r[0]]
    unanswerable = [r for r in rows if not r[0]]
    outcomes = [_outcome(model, r[1]) for r in rows]
    ans_out = [o for o, r in zip(outcomes, rows, strict=True) if r[0]]
    una_out = [o for o, r in zip(outcomes, rows, strict=True) if not r[0]]
    declined = ans_out.count("declined") / len(answerable)
    confident = [r for o, r in zip(outcomes, rows, strict=True) if o == "confident"]
    confident_right = sum(r[2] for r in confident) / max(len(confident), 1)
    not_sure = sum(o != "confident" for o in una_out) / max(len(unanswerable), 1)
    p1 = sum(r[2] for o, r in zip(outcomes, rows, strict=True) if o != "declined" and r[0])
    return (f"passage@1 {p1 / len(answerable):.2f}  answerable declined {declined:.1%}  "
            f"unanswerable declined-or-hedged {not_sure:.0%}  "
            f"confident right {confident_right:.0%} ({len(confident)} confident)")


def _coverage_row(model: ConfidenceModel, rows: list[Row], cut: float) -> str:
    """One line of the precision-coverage table: answers given as sure at ``cut``."""
    answerable = [r for r in rows if r[0]]
    unanswerable = [r for r in rows if not r[0]]

    def sure(r: Row) -> bool:
        return r[1] is not None and r[1].own_coverage > 0 and model.probability(r[1]) >= cut

    given = [r for r in answerable if sure(r)]
    right = sum(r[2] for r in given)
    wrongly = sum(sure(r) for r in unanswerable)
    return (f"| {cut:.3f} | {len(given)}/{len(answerable)} = {len(given) / len(answerable):.0%} "
            f"| {right}/{max(len(given), 1)} = {right / max(len(given), 1):.0%} "
            f"| {wrongly}/{len(unanswerable)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    with paraphrase_index(args.db, args.semantic) as db:
        tune = asyncio.run(_rows(db, fit_items()))
        check = asyncio.run(_rows(db, split_items("check")))
    usable = [r for r in tune if r[1] is not None]
    x = np.asarray([r[1].vector() for r in usable if r[1] is not None], dtype=np.float64)
    y = np.asarray([float(r[2]) for r in usable])
    l2 = _cross_validated_l2(x, y)
    weights, intercept, _, _ = _fit(x, y, l2)
    print(f"L2 = {l2}")
    base = ConfidenceModel(tuple(float(w) for w in weights), intercept, 1.0, 0.0)
    probs = sorted({round(base.probability(r[1]), 4) for r in usable if r[1] is not None})
    hedged_at = 0.0
    for t in probs:
        trial = ConfidenceModel(base.weights, intercept, 1.0, t)
        answerable = [r for r in tune if r[0]]
        declined = sum(_outcome(trial, r[1]) == "declined" for r in answerable)
        if declined / len(answerable) <= MAX_ANSWERABLE_DECLINED:
            hedged_at = t
    held_out = _cross_validated_probabilities(x, y, l2)
    answerable_rows = np.asarray([r[0] for r in usable])
    holds_a_word = np.asarray([r[1] is not None and r[1].own_coverage > 0 for r in usable])
    confident_at = _confident_at(held_out, y, answerable_rows, holds_a_word)
    print("precision-coverage on train + tune, cross-validated:")
    for cut in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, round(confident_at, 3)):
        sure = (held_out >= cut) & holds_a_word
        given = int((sure & answerable_rows).sum())
        right = int(y[sure & answerable_rows].sum())
        wrongly = int((sure & ~answerable_rows).sum())
        print(f"  {cut:.3f}: sure {given}/{int(answerable_rows.sum())}"
              f" right {right}/{max(given, 1)}"
              f" unanswerable sure {wrongly}/{int((~answerable_rows).sum())}")
    upper = tuple(round(float(v), 3) for v in x.max(axis=0))
    model = ConfidenceModel(base.weights, intercept, max(confident_at, hedged_at), hedged_at,
                            upper)
    print(f"train + tune: {len(tune)} questions; features {', '.join(FEATURES)}")
    print(f"fit    {_figures(model, tune)}")
    print(f"check  {_figures(model, check)}   (information only)")
    print("precision-coverage on check (answerable questions; sure when p >= cut-off):")
    print("| cut-off | sure, of answerable | sure and right | unanswerable sure |")
    print("|---|---|---|---|")
    for cut in (0.3, 0.4, 0.5, 0.6, round(model.confident_at, 3), 0.7, 0.8, 0.9):
        print(_coverage_row(model, check, cut))
    print(f"{'FITTED_SEMANTIC' if args.semantic else 'FITTED'} = ConfidenceModel(")
    print(f"    weights=({', '.join(f'{w:.3f}' for w in model.weights)}),")
    print(f"    intercept={model.intercept:.3f},")
    print(f"    confident_at={model.confident_at:.3f},")
    print(f"    hedged_at={model.hedged_at:.3f},")
    print(f"    upper=({', '.join(f'{v:.3f}' for v in upper)}),")
    print(")")


if __name__ == "__main__":
    main()
