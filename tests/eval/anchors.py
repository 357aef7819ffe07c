"""The anchors answer quality is compared with, on the same passages as the bot.

    .venv/bin/python -m tests.eval.anchors [--split check]

All corpora and the seed in one index. For each answerable question of the split it ranks
the passages with rank-bm25's BM25Okapi over the project's tokenizer, (1) on the passage
text alone and (2) with the session's title and speakers added to each passage, and
quotes the first passage (and the first of two other sessions as alternatives), never
declining; then the bot itself. Right = the passage holds every expect phrase, as the
shared scorer judges. Prints passage@1 and passage@3 side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.answer import Answerer, parse_question
from bot.answer.evaluate import EvalItem, load_items, passage_is_right
from bot.corpus import load_corpus
from bot.search.build import build_index
from bot.search.index import Index
from bot.search.tokenizer import tokenize
from tests.conftest import SHARED

PARAPHRASES = SHARED / "eval" / "paraphrase.yaml"


def _bm25_figures(docs: list[list[str]], texts: list[str], owners: list[int],
                  items: list[EvalItem]) -> tuple[int, int]:
    model = BM25Okapi(docs)
    at1 = at3 = 0
    for item in items:
        scores = model.get_scores(tokenize(item.q))
        order = np.argsort(-scores, kind="stable")[:200]
        shown: list[int] = []
        sessions: set[int] = set()
        for pid in order.tolist():
            if owners[pid] not in sessions:
                sessions.add(owners[pid])
                shown.append(pid)
            if len(shown) == 3:
                break
        rights = [passage_is_right(texts[pid], item) for pid in shown]
        at1 += bool(rights and rights[0])
        at3 += any(rights)
    return at1, at3


async def _bot_figures(db: Path, items: list[EvalItem]) -> tuple[int, int]:
    index = await Index.open(db)
    try:
        answerer = await Answerer.create(index)
        at1 = at3 = 0
        for item in items:
            answer = await answerer.answer(parse_question(item.q))
            if not answer.answered or answer.best is None:
                continue
            shown = [answer.best, *answer.alternatives][:3]
            rights = [passage_is_right(q.text, item) for q in shown]
            at1 += rights[0]
            at3 += any(rights)
        return at1, at3
    finally:
        await index.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["tune", "check"], default="check")
    args = parser.parse_args()
    items = [i for i in load_items(PARAPHRASES, split=args.split) if i.session is not None]
    report = load_corpus([SHARED / "corpora", SHARED / "seed"])
    texts, owners, plain, named = [], [], [], []
    for sid, session in enumerate(report.sessions):
        name = tokenize(" ".join([session.title, *session.speakers]))
        for passage in session.passages:
            text = f"{passage.heading}\n{passage.text}" if passage.heading else passage.text
            texts.append(passage.text)
            owners.append(sid)
            plain.append(tokenize(text))
            named.append(tokenize(text) + name)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "all.sqlite3"
        build_index(report, db)
        bot = asyncio.run(_bot_figures(db, items))
    n = len(items)
    print(f"{args.split}: {n} answerable questions, {len(texts)} passages")
    for label, (at1, at3) in (
            ("BM25, passage text only", _bm25_figures(plain, texts, owners, items)),
            ("BM25, + session title and speakers", _bm25_figures(named, texts, owners, items)),
            ("summit-bot", bot)):
        print(f"  {label:<36} passage@1 {at1 / n:.2f}  passage@3 {at3 / n:.2f}")


if __name__ == "__main__":
    main()
