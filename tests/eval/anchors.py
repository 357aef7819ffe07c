"""The anchors answer quality is compared with, on the same passages as the bot, one run.

    .venv/bin/python -m tests.eval.anchors [--split check] [--semantic all-MiniLM-L6-v2 --db F]

All corpora and the seed in one index. For each answerable question of the split it ranks
the passages with rank-bm25's BM25Okapi over the project's tokenizer, (1) on the passage
text alone, (2) with the session's title and speakers added to each passage, and (3) that
plus 0.3 x the BM25 of the whole session as one document, quoting the first passage (and
the first of two other sessions as alternatives), never declining; then the bot itself
(with the semantic extra when given). Right = the passage holds every expect phrase, as the
shared scorer judges. Prints passage@1 and passage@3 side by side, overall and per corpus.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.answer import parse_question
from bot.answer.evaluate import EvalItem, load_items, passage_is_right
from bot.corpus import load_corpus
from bot.search.tokenizer import tokenize
from tests.conftest import SHARED
from tests.eval.paraphrase_index import (
    PARAPHRASES,
    add_arguments,
    open_answerer,
    paraphrase_index,
)

Figures = dict[str, tuple[int, int]]  # corpus -> (right first, right in top 3)


def _add(figures: Figures, corpus: str, rights: list[bool]) -> None:
    for key in (corpus, "all"):
        at1, at3 = figures.get(key, (0, 0))
        figures[key] = (at1 + bool(rights and rights[0]), at3 + any(rights))


def _bm25_figures(docs: list[list[str]], texts: list[str], owners: list[int],
                  items: list[EvalItem], sessions_docs: list[list[str]] | None = None
                  ) -> Figures:
    model = BM25Okapi(docs)
    whole = BM25Okapi(sessions_docs) if sessions_docs else None
    owner_array = np.asarray(owners)
    figures: Figures = {}
    for item in items:
        query = tokenize(item.q)
        scores = model.get_scores(query)
        if whole is not None:
            scores = scores + 0.3 * whole.get_scores(query)[owner_array]
        order = np.argsort(-scores, kind="stable")[:200]
        shown: list[int] = []
        seen: set[int] = set()
        for pid in order.tolist():
            if owners[pid] not in seen:
                seen.add(owners[pid])
                shown.append(pid)
            if len(shown) == 3:
                break
        _add(figures, item.corpus or "?", [passage_is_right(texts[pid], item) for pid in shown])
    return figures


async def _bot_figures(db: Path, items: list[EvalItem]) -> Figures:
    index, answerer = await open_answerer(db)
    try:
        figures: Figures = {}
        for item in items:
            answer = await answerer.answer(parse_question(item.q))
            shown = ([answer.best, *answer.alternatives][:3]
                     if answer.answered and answer.best else [])
            _add(figures, item.corpus or "?", [passage_is_right(q.text, item) for q in shown])
        return figures
    finally:
        await index.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["tune", "check"], default="check")
    add_arguments(parser)
    args = parser.parse_args()
    items = [i for i in load_items(PARAPHRASES, split=args.split) if i.session is not None]
    report = load_corpus([SHARED / "corpora", SHARED / "seed"])
    texts, owners, plain, named, whole = [], [], [], [], []
    for sid, session in enumerate(report.sessions):
        name = tokenize(" ".join([session.title, *session.speakers]))
        all_terms: list[str] = list(name)
        for passage in session.passages:
            text = f"{passage.heading}\n{passage.text}" if passage.heading else passage.text
            terms = tokenize(text)
            texts.append(passage.text)
            owners.append(sid)
            plain.append(terms)
            named.append(terms + name)
            all_terms += terms
        whole.append(all_terms)
    with paraphrase_index(None, None) as db:  # not --db: that one keeps its vectors
        rows = [("BM25, passage text only", _bm25_figures(plain, texts, owners, items)),
                ("BM25, + session title and speakers", _bm25_figures(named, texts, owners, items)),
                ("  + 0.3 x whole-session BM25", _bm25_figures(named, texts, owners, items,
                                                               whole)),
                ("summit-bot", asyncio.run(_bot_figures(db, items)))]
    if args.semantic:
        with paraphrase_index(args.db, args.semantic) as db:
            rows.append((f"summit-bot + {args.semantic}", asyncio.run(_bot_figures(db, items))))
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item.corpus or "?"] += 1
    counts["all"] = len(items)
    print(f"{args.split}: {len(items)} answerable questions, {len(texts)} passages")
    corpora = sorted(c for c in counts if c != "all")
    print(f"  {'':<40} {'p@1':>5} {'p@3':>5}   p@1 per corpus: {' '.join(corpora)}")
    for label, figures in rows:
        at1, at3 = figures.get("all", (0, 0))
        per = " ".join(f"{figures.get(c, (0, 0))[0] / counts[c]:.2f}" for c in corpora)
        print(f"  {label:<40} {at1 / counts['all']:>5.2f} {at3 / counts['all']:>5.2f}   {per}")


if __name__ == "__main__":
    main()
