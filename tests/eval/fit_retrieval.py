"""Fits the fielded retrieval's two weights on the train and tune splits.

    .venv/bin/python -m tests.eval.fit_retrieval

All corpora and the seed in one index, built once per name weight (how much a word of the
session's title, speakers, aliases, track or tags counts against a word of the passage:
bot/search/build.py NAME_WEIGHT); for each, a grid of the weight of the whole session's
BM25 added to each passage's (bot/answer/answerer.py SESSION_WEIGHT). Retrieval alone, no
answer layer: the first passage, and the first of each of the first three sessions, judged
as the shared scorer does. Picks the most right first on tune, ties broken by the top 3,
then by the smaller weights; prints check beside it for information only.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.answer import parse_question
from bot.answer.evaluate import EvalItem, passage_is_right
from bot.corpus import load_corpus
from bot.search.build import build_index
from bot.search.index import Index
from tests.conftest import SHARED
from tests.eval.paraphrase_index import answerable, tally

NAME_WEIGHTS = [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0]
SESSION_WEIGHTS = [0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0]


async def _figures(db: Path, items: list[EvalItem], session_weight: float
                   ) -> tuple[int, int]:
    index = await Index.open(db)
    try:
        at1 = at3 = 0
        for item in items:
            question = parse_question(item.q)
            hits = await index.search_fielded(list(question.terms), limit=100,
                                              session_weight=session_weight)
            passages = await index.passages([pid for pid, _ in hits])
            shown, sessions = [], set()
            for pid, _ in hits:
                passage = passages[pid]
                if passage.session_id not in sessions:
                    sessions.add(passage.session_id)
                    shown.append(passage)
                if len(shown) == 3:
                    break
            first, top3 = tally([passage_is_right(p.text, item) for p in shown])
            at1, at3 = at1 + first, at3 + top3
        return at1, at3
    finally:
        await index.close()


def main() -> None:
    tune, check = answerable("fit"), answerable("check")
    report = load_corpus([SHARED / "corpora", SHARED / "seed"])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name_weight in NAME_WEIGHTS:
            db = Path(tmp) / f"w{name_weight}.sqlite3"
            build_index(report, db, name_weight=name_weight)
            for session_weight in SESSION_WEIGHTS:
                t1, t3 = asyncio.run(_figures(db, tune, session_weight))
                c1, c3 = asyncio.run(_figures(db, check, session_weight))
                results.append(((t1, t3, -name_weight, -session_weight),
                                name_weight, session_weight, c1, c3))
                print(f"name {name_weight:<4} session {session_weight:<5} "
                      f"fit {t1 / len(tune):.3f} {t3 / len(tune):.3f}   "
                      f"check {c1 / len(check):.3f} {c3 / len(check):.3f}")
    best = max(results, key=lambda r: r[0])
    (t1, t3, _, _), name_weight, session_weight, c1, c3 = best
    print(f"best on train + tune: NAME_WEIGHT = {name_weight}, SESSION_WEIGHT = {session_weight}: "
          f"fit passage@1 {t1 / len(tune):.3f} passage@3 {t3 / len(tune):.3f}; "
          f"check (information only) {c1 / len(check):.3f} {c3 / len(check):.3f}")


if __name__ == "__main__":
    main()
