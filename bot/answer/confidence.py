"""How sure an answer is: a small logistic model over a few facts about the best passage.

Hand-set coverage thresholds could not tell right answers from wrong ones (on the
paraphrase set's tune split about half the "confident" answers were wrong). The model
gives the probability that the best passage answers the question; two cut-offs turn it
into the three outcomes. Its numbers are fitted by tests/eval/fit_confidence.py on the
train and tune splits, which prints them in the form written below.
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
    rare_held: float = 0.0  # share of the question's two rarest words its own text holds
    crowd: float = 0.0  # share of the next nine candidates scoring within 10% of it
    kind_fit: float = 0.0  # 1: holds what the question asks for (a number, a name); -1: not
    speaker_named: float = 0.0  # the question names one of its session's speakers
    agree: float = 0.0  # 1 when the lexical ranking alone puts it first too
    sentence: float = 0.0  # its closest sentence's cosine with the question (semantic extra)

    def vector(self) -> tuple[float, ...]:
        return astuple(self)


FEATURES = tuple(Evidence.__dataclass_fields__)


@dataclass(slots=True, frozen=True)
class ConfidenceModel:
    weights: tuple[float, ...]  # one per Evidence field, in order
    intercept: float
    confident_at: float  # probability at or above which the answer is given as sure
    hedged_at: float  # below confident_at, at or above this, the answer is hedged
    # Each fact's largest value among the questions fitted on. A linear model knows nothing
    # beyond them: a question of one common word ("what did the go talk cover?") has a
    # strength of 15 where the fitted ones reach 5, and -0.8 per unit declined it outright.
    upper: tuple[float, ...] | None = None

    def probability(self, evidence: Evidence) -> float:
        facts = evidence.vector()
        if self.upper is not None:
            facts = tuple(min(x, top) for x, top in zip(facts, self.upper, strict=True))
        z = self.intercept + sum(w * x for w, x in zip(self.weights, facts, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def judge(self, evidence: Evidence) -> Outcome:
        if evidence.own_coverage <= 0:  # not one word of the question in the passage
            return "declined"
        p = self.probability(evidence)
        if p >= self.confident_at:
            return "confident"
        return "hedged" if p >= self.hedged_at else "declined"


# Fitted by tests/eval/fit_confidence.py on the train and tune splits (394 questions). The
# facts tell right from wrong only moderately (held-out log loss 0.59 against 0.69 for a
# coin), so the cut-off gives a quarter of the fitted questions as sure (cross-validated:
# 82 of 327 answerable, 73% right, 14 of 67 unanswerable ones sure) rather than the 6% that
# a stricter rule left, a hedge on nearly every answer. On check: 18% sure, 60% right.
FITTED = ConfidenceModel(
    weights=(8.943, 0.408, -6.525, -0.373, 2.580, -0.789, 0.000, 0.338, -1.510, 1.239, 0.310,
             0.149, 0.000),
    intercept=-1.464,
    confident_at=0.603,
    hedged_at=0.053,
    upper=(1.000, 1.000, 1.000, 1.000, 0.757, 5.046, 0.000, 1.000, 1.000, 1.000, 1.000, 1.000,
           0.000),
)


# The same with the semantic extra, whose similarities (the passage's and its closest
# sentence's) are two more facts (fitted by tests/eval/fit_confidence.py --semantic
# all-MiniLM-L6-v2 on train + tune; cross-validated: 115 of 327 answerable sure, 77% right,
# 10 of 67 unanswerable sure; on check 23% sure, 80% right).
FITTED_SEMANTIC = ConfidenceModel(
    weights=(2.312, -0.321, -0.292, -0.414, 3.067, -0.350, 0.336, -0.265, -1.678, 1.055,
             -0.055, 0.473, 2.733),
    intercept=-2.733,
    confident_at=0.635,
    hedged_at=0.083,
    upper=(1.000, 1.000, 1.000, 1.000, 0.682, 5.243, 0.859, 1.000, 0.778, 1.000, 1.000, 1.000,
           0.855),
)
