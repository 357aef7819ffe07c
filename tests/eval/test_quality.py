"""Answer quality on the development set must stay at or above the goals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.eval.harness import CORPORA, QUESTIONS, combined, run_all

# passage@1 at the 0.85 that answer quality issue 10 keeps for this set; passage@3 just
# below where fielded retrieval left it (0.897), so that it cannot slip unnoticed.
GOALS = {"passage_at_1": 0.85, "passage_at_3": 0.88, "declined_unanswerable": 0.80}
MAX_FALSE_DECLINES = 0.05


def test_dev_set_meets_the_goals(tmp_path: Path) -> None:
    if not all(path.exists() for path in CORPORA.values()):
        pytest.skip("../shared is absent: the dev set spans the shared corpora")
    reports = run_all(tmp_path, QUESTIONS)
    figures = combined(reports).figures()
    assert figures["answerable"] >= 80 and figures["unanswerable"] >= 15
    for name, goal in GOALS.items():
        assert figures[name] >= goal, (name, figures)
    assert figures["declined_answerable"] <= MAX_FALSE_DECLINES, figures


def test_bundled_questions_without_shared(tmp_path: Path) -> None:
    """On a user's clone (no ../shared) the questions about our own notes still pass."""
    report = run_all(tmp_path, QUESTIONS)["bundled"]
    figures = report.figures()
    assert figures["passage_at_1"] >= 0.70, report.misses()
    assert figures["declined_unanswerable"] >= 0.5


def test_hard_paraphrases_do_not_regress(tmp_path: Path) -> None:
    """Questions sharing few words with the notes: below the goals today (p@1 65%, a quarter
    declined), so this guards against losing ground while that work goes on."""
    if not all(path.exists() for path in CORPORA.values()):
        pytest.skip("../shared is absent: the hard set spans the shared corpora")
    figures = combined(run_all(tmp_path, QUESTIONS.with_name("dev_questions_hard.yaml"))
                       ).figures()
    assert figures["passage_at_1"] >= 0.65, figures
