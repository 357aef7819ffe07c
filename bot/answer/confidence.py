"""How sure an answer is: a small logistic model over a few facts about the best passage.

Hand-set coverage thresholds could not tell right answers from wrong ones (on the
paraphrase set's tune split about half the "confident" answers were wrong). The model
gives the probability that the best passage answers the question; two cut-offs turn it
into the three outcomes. Its numbers are fitted by tests/eval/fit_confidence.py on the
tune split, which prints them in the form written below.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass
from typing import Literal

Outcome = Literal["confident", "hedged", "declined"]


@dataclass(slots=True, frozen=True)
class Evidence:
    """What is known of the best candidate when deciding how sure to be."""

    coverage: float  # share of the question's weight it covers, its session's name included
    own_coverage: float  # the same, by the passage's own words
    near_coverage: float  # the best coverage among the first three candidates
    named: float  # how strongly the question names its session (0 when not at all)
    margin: float  # its lead over the best candidate of another session, as a share
    strength: float  # its retrieval score per unit of the question's term weight
    semantic: float = 0.0  # cosine of its vector with the question's (semantic extra)

    def vector(self) -> tuple[float, ...]:
        return astuple(self)


FEATURES = tuple(Evidence.__dataclass_fields__)


@dataclass(slots=True, frozen=True)
class ConfidenceModel:
    weights: tuple[float, ...]  # one per Evidence field, in order
    intercept: float
    confident_at: float  # probability at or above which the answer is given as sure
    hedged_at: float  # below confident_at, at or above this, the answer is hedged

    def probability(self, evidence: Evidence) -> float:
        z = self.intercept + sum(w * x for w, x in zip(self.weights, evidence.vector(),
                                                       strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def judge(self, evidence: Evidence) -> Outcome:
        if evidence.own_coverage <= 0:  # not one word of the question in the passage
            return "declined"
        p = self.probability(evidence)
        if p >= self.confident_at:
            return "confident"
        return "hedged" if p >= self.hedged_at else "declined"


# Fitted by tests/eval/fit_confidence.py on the paraphrase set's tune split (tune: answerable
# declined 1.8%, unanswerable declined or hedged 100%, confident right 100% of 1). These
# facts tell right from wrong only weakly (held-out log loss 0.63 against 0.69 for a
# coin), so few answers are given as sure.
FITTED = ConfidenceModel(
    weights=(1.428, 0.561, 0.744, -0.312, 3.559, -0.463, 0.000),
    intercept=-1.820,
    confident_at=0.816,
    hedged_at=0.161,
)


# The same with the semantic extra, whose similarity is one more fact (fitted by
# tests/eval/fit_confidence.py --semantic all-MiniLM-L6-v2; tune: answerable declined 1.8%,
# unanswerable declined or hedged 95%, confident right 80% of 5).
FITTED_SEMANTIC = ConfidenceModel(
    weights=(1.510, 0.227, -0.037, -0.623, 2.455, -0.142, 1.123),
    intercept=-1.699,
    confident_at=0.771,
    hedged_at=0.257,
)
