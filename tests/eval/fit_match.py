"""Fit the threshold at which a notes session and a scheduled talk are one talk.

    .venv/bin/python -m tests.eval.fit_match

Scores every labelled pair of tests/schedule/match_pairs.yaml with
bot.schedule.match.match_score and prints, for thresholds from 0.50 to 1.10, how many
pairs are told right; the fitted MATCH_THRESHOLD is the middle of the best range.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.schedule import match
from bot.schedule.match import MATCH_THRESHOLD, match_score

PAIRS = Path(__file__).resolve().parent.parent / "schedule" / "match_pairs.yaml"


def scored() -> list[tuple[float, bool, str]]:
    out = []
    for pair in yaml.safe_load(PAIRS.read_text(encoding="utf-8")):
        (a, a_people), (b, b_people) = pair["notes"], pair["schedule"]
        out.append((match_score(a, a_people, b, b_people), bool(pair["same"]), f"{a} ~ {b}"))
    return out


def fit() -> tuple[float, float, int, float]:
    """(sort share, threshold, pairs right, width of the best threshold range): the most
    pairs right, then the widest margin."""
    best = (0.0, 0.0, -1, -1.0)
    for share_step in range(0, 11):
        match.SORT_SHARE = share_step / 10
        pairs = scored()
        rights = [(step / 100, sum((score >= step / 100) == same for score, same, _ in pairs))
                  for step in range(50, 111)]
        top = max(right for _, right in rights)
        span = [t for t, right in rights if right == top]
        width = span[-1] - span[0]
        if (top, width) > (best[2], best[3]):
            best = (share_step / 10, (span[0] + span[-1]) / 2, top, width)
    return best


def main() -> None:
    saved = match.SORT_SHARE
    share, threshold, right, width = fit()
    match.SORT_SHARE = saved
    pairs = scored()
    print(f"{len(pairs)} pairs; best SORT_SHARE {share:.1f}, threshold {threshold:.2f} "
          f"({right}/{len(pairs)} right over a range of {width:.2f}); in use: SORT_SHARE "
          f"{saved}, MATCH_THRESHOLD {MATCH_THRESHOLD}")
    for score, same, name in sorted(pairs):
        wrong = (score >= MATCH_THRESHOLD) != same
        print(f"{score:5.2f} {'same' if same else 'diff'}{'  WRONG' if wrong else ''}  {name}")


if __name__ == "__main__":
    main()
