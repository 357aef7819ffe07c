"""The ranking-weight search of tests/eval/fit_weights.py, on made-up candidates."""

from __future__ import annotations

from bot.answer.answerer import Features
from tests.eval.fit_weights import _best, figures, held_out


def _question(right_is_early: bool) -> list[tuple[Features, bool, int]]:
    """Two candidates: the better BM25 one and the session's opening passage."""
    lexical = Features(bm25=1.0, early=0.0, coverage=1.0, named=0.0)
    opening = Features(bm25=0.9, early=0.06, coverage=1.0, named=0.0)
    return [(lexical, not right_is_early, 0), (opening, right_is_early, 1)]


def test_the_search_finds_the_prior_that_helps_and_scores_it_held_out() -> None:
    questions = [_question(right_is_early=True) for _ in range(10)]
    grid = [(0.0, 0.0, 0.0), (3.0, 0.0, 0.0)]
    assert _best(questions, grid).early == 3.0
    assert figures(questions, _best(questions, grid)) == (10, 10)
    assert held_out(questions, grid) == 10  # every fold picks the same point


def test_held_out_is_what_a_point_chosen_without_the_fold_gets() -> None:
    # one grid point: nothing to choose, so held out equals in-sample
    questions = [_question(right_is_early=n % 3 == 0) for n in range(12)]
    assert held_out(questions, [(0.0, 0.0, 0.0)]) == figures(
        questions, _best(questions, [(0.0, 0.0, 0.0)]))[0] == 8
    # with a choice, scoring on unseen folds is never better than the in-sample best
    grid = [(0.0, 0.0, 0.0), (3.0, 0.0, 0.0)]
    assert held_out(questions, grid) <= figures(questions, _best(questions, grid))[0]
