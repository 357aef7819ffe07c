"""Checks the answerer's query constants on the train and tune splits: the weight of
a synonym's or acronym's terms in the query (bot/answer/answerer.py EXPANSION_WEIGHT) and
the size of the position prior (POSITION_BONUS, whose weight fit_weights fits).

    .venv/bin/python -m tests.eval.fit_query

All corpora and the seed in one index. Each value on its grid is tried with the others as
they are; the bot's best passage (given or not: this measures ranking, not confidence),
then its two alternatives, are judged as the shared scorer judges a passage. Prints tune
and, for information only, check, and the best value on tune (most right first, then most
right in the top 3, then the value nearest the current one).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.answer import answerer, parse_question
from bot.answer.evaluate import EvalItem, passage_is_right
from tests.eval.paraphrase_index import answerable, open_answerer, paraphrase_index, tally

GRIDS = {
    "EXPANSION_WEIGHT": [0.0, 0.2, 0.4, 0.6, 1.0],
    "POSITION_BONUS": [0.0, 0.03, 0.06, 0.12],
}


async def _figures(db: Path, items: list[EvalItem]) -> tuple[int, int]:
    index, bot = await open_answerer(db)
    try:
        at1 = at3 = 0
        for item in items:
            answer = await bot.answer(parse_question(item.q))
            shown = [answer.best, *answer.alternatives][:3] if answer.best else []
            first, top3 = tally([passage_is_right(q.text, item) for q in shown])
            at1, at3 = at1 + first, at3 + top3
        return at1, at3
    finally:
        await index.close()


def main() -> None:
    tune, check = answerable("fit"), answerable("check")
    with paraphrase_index(None, None) as db:
        for name, grid in GRIDS.items():
            current = getattr(answerer, name)
            best = (-1, -1, 0.0), current
            for value in grid:
                setattr(answerer, name, value)
                t1, t3 = asyncio.run(_figures(db, tune))
                c1, c3 = asyncio.run(_figures(db, check))
                print(f"{name} = {value:<5} fit {t1}/{len(tune)} {t3}/{len(tune)}   "
                      f"check {c1}/{len(check)} {c3}/{len(check)}")
                best = max(best, ((t1, t3, -abs(value - current)), value))
            setattr(answerer, name, current)
            print(f"best on train + tune: {name} = {best[1]} (now {current})")


if __name__ == "__main__":
    main()
