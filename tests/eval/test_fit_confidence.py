"""The cut-off rule of tests/eval/fit_confidence.py, on made-up probabilities."""

from __future__ import annotations

import numpy as np

from tests.eval.fit_confidence import _confident_at


def test_the_cut_off_goes_past_a_dip_to_the_largest_share_that_meets_both_rules() -> None:
    # 20 answerable questions, best first; two wrong ones early make a dip in precision
    right = [1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    p = np.round(0.95 - 0.045 * np.arange(20), 3)
    y = np.asarray(right, dtype=float)
    answerable = np.ones(20, dtype=bool)
    held = np.ones(20, dtype=bool)
    cut = _confident_at(p, y, answerable, held)
    sure = p >= cut
    # a quarter (5) are sure at the floor; 6 and 7 dip to 83% and 71% right, yet the first
    # 17 are 13 of 17 = 76% right (18: 72%): the largest share that keeps 75% right
    assert sure.sum() == 17
    assert y[sure].mean() >= 0.75


def test_unanswerable_questions_sure_stop_the_cut_off() -> None:
    p = np.round(0.95 - 0.045 * np.arange(20), 3)
    y = np.asarray([1] * 10 + [0] * 10, dtype=float)
    answerable = np.asarray([True] * 10 + [False, True] * 5)
    held = np.ones(20, dtype=bool)
    cut = _confident_at(p, y, answerable, held)
    # the unanswerable ones start at the 11th: at most 15% of the 5 (none) may be sure
    assert (p >= cut).sum() == 10
