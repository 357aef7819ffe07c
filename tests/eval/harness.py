"""Runs the development question set, one index per corpus, and prints the figures.

    .venv/bin/python -m tests.eval.harness            # figures per corpus and overall
    .venv/bin/python -m tests.eval.harness --misses   # and every miss
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bot.answer import Answerer, Question
from bot.answer.answerer import Scored
from bot.answer.evaluate import EvalItem, EvalReport, evaluate, load_items
from bot.answer.models import Answer, Quote
from bot.corpus import load_corpus
from bot.search.build import build_index
from bot.search.index import Index
from tests.conftest import CORPUS, SHARED, SHARED_CORPORA

QUESTIONS = Path(__file__).with_name("dev_questions.yaml")

CORPORA: dict[str, Path] = {
    "bundled": CORPUS,
    "seed": SHARED / "seed",
    "daneah": SHARED_CORPORA / "daneah-conference-notes",
    "k8s": SHARED_CORPORA / "k8s-contributor-summit-notes",
    "lastcoolnameleft": SHARED_CORPORA / "lastcoolnameleft-conference-notes",
    "barcelona": SHARED_CORPORA / "openstack-barcelona-2016-proposals",
    "rdo": SHARED_CORPORA / "rdo-openstack-hongkong-2013-proposals",
}


class PlainBM25(Answerer):
    """The baseline: BM25's first passage quoted, its next two from other sessions as the
    alternatives, declining only when no word matches."""

    async def answer(self, question: Question, trace: list[Scored] | None = None) -> Answer:
        hits = await self.index.search(list(question.terms), limit=30)
        if not hits:
            return Answer(question=question.text, answered=False)
        passages = await self.index.passages([pid for pid, _ in hits])
        quotes: list[Quote] = []
        seen: set[int] = set()
        for pid, score in hits:
            passage = passages[pid]
            if passage.session_id in seen:
                continue
            seen.add(passage.session_id)
            quotes.append(Quote(self.index.sessions[passage.session_id], passage, passage.text,
                                (), score))
        return Answer(question=question.text, answered=True, best=quotes[0],
                      alternatives=quotes[1:3])


async def _run_corpus(path: Path, items: list[EvalItem], folder: Path,
                      baseline: bool = False) -> EvalReport:
    db = folder / f"{path.name}.sqlite3"
    if not db.exists():
        build_index(load_corpus([path]), db)
    index = await Index.open(db)
    try:
        answerer = PlainBM25(index) if baseline else await Answerer.create(index)
        return await evaluate(answerer, items)
    finally:
        await index.close()


def run_all(folder: Path, questions: Path = QUESTIONS, baseline: bool = False
            ) -> dict[str, EvalReport]:
    """Reports per corpus, for the corpora present on this machine."""
    items = load_items(questions)
    reports: dict[str, EvalReport] = {}
    for name, path in CORPORA.items():
        mine = [i for i in items if i.corpus == name]
        if mine and path.exists():
            reports[name] = asyncio.run(_run_corpus(path, mine, folder, baseline))
    return reports


def combined(reports: dict[str, EvalReport]) -> EvalReport:
    total = EvalReport()
    for report in reports.values():
        total.results.extend(report.results)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--baseline", action="store_true",
                        help="plain BM25 (first passage quoted), for comparison")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        reports = run_all(Path(tmp), baseline=args.baseline)
    for name, report in [*reports.items(), ("ALL", combined(reports))]:
        f = report.figures()
        print(f"{name:<17} n={f['questions']:>3}  p@1 {f['passage_at_1']:.0%}  "
              f"p@3 {f['passage_at_3']:.0%}  declined-unanswerable "
              f"{f['declined_unanswerable']:.0%}  declined-answerable "
              f"{f['declined_answerable']:.0%}")
    if args.misses:
        for name, report in reports.items():
            for r in report.misses():
                got = f"{r.quoted_session!r}: {(r.quoted or '')[:90]!r}" if r.answered \
                    else "DECLINED"
                print(f"[{name}] {r.item.id}: {r.item.q!r}\n    want {r.item.session!r} "
                      f"{r.item.expect[:1]}\n    got  {got}")


if __name__ == "__main__":
    main()
