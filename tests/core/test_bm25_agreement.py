"""Our BM25 must rank as rank-bm25's BM25Okapi does over the same tokens."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.corpus import load_corpus
from bot.search.build import build_index, passage_terms
from bot.search.index import Index
from tests.conftest import CORPUS, SHARED_CORPORA


def _queries(docs: list[list[str]], count: int, seed: int) -> list[list[str]]:
    """Queries of 1-6 terms drawn from the passages themselves, some with repeats."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        doc = rng.choice([d for d in docs if d])
        size = rng.randint(1, 6)
        query = [rng.choice(doc) for _ in range(size)]
        if rng.random() < 0.3:  # a term from anywhere, often rare
            query.append(rng.choice(rng.choice([d for d in docs if d])))
        queries.append(query)
    return queries


def _overlap(ours: list[tuple[int, float]], reference: np.ndarray, k: int = 10) -> float:
    """Share of our top-k that is in the reference top-k (ties at the cut count as in)."""
    positive = int((reference > 0).sum())
    k = min(k, positive)
    if k == 0:
        return 1.0 if not ours else 0.0
    cut = np.sort(reference)[::-1][k - 1]
    hits = sum(1 for pid, _ in ours[:k] if reference[pid] >= cut - 1e-4 * max(1.0, cut))
    return hits / k


def _agreement(paths: list[Path], db: Path, queries_count: int = 150) -> float:
    report = load_corpus(paths)
    build_index(report, db)
    docs = [passage_terms(p.heading, p.text) for s in report.sessions for p in s.passages]
    reference = BM25Okapi(docs)
    queries = _queries(docs, queries_count, seed=len(docs))

    async def run() -> float:
        index = await Index.open(db)
        try:
            total = 0.0
            for query in queries:
                ours = await index.search(query, limit=10)
                ref_scores = reference.get_scores(query)
                # the scores themselves agree, not only the order
                for pid, score in ours[:3]:
                    assert score == pytest.approx(ref_scores[pid], rel=1e-4, abs=1e-4)
                total += _overlap(ours, ref_scores)
            return total / len(queries)
        finally:
            await index.close()

    return asyncio.run(run())


def test_agreement_on_bundled_corpus(tmp_path: Path) -> None:
    assert _agreement([CORPUS], tmp_path / "i.db") >= 0.99


@pytest.mark.parametrize("name", [
    "daneah-conference-notes", "k8s-contributor-summit-notes",
    "lastcoolnameleft-conference-notes", "rdo-openstack-hongkong-2013-proposals",
    "openstack-barcelona-2016-proposals",
])
def test_agreement_on_real_corpora(tmp_path: Path, name: str) -> None:
    path = SHARED_CORPORA / name
    if not path.exists():
        pytest.skip("../shared/corpora is absent")
    assert _agreement([path], tmp_path / "i.db") >= 0.99


def test_fast_word_split_matches_the_word_pattern() -> None:
    """The ASCII fast path of split_words must give what the word regex gives."""
    from bot.search.tokenizer import _WORD, split_words

    paths = [CORPUS] + [p for p in SHARED_CORPORA.glob("*") if p.is_dir()]
    texts = [p.text for s in load_corpus(paths).sessions for p in s.passages]
    texts += ["don't 'quoted' rock'n'roll a-b_c (paren) x86_64 3.14 e-mail", "c++ fork() #1"]
    for text in texts:
        assert split_words(text) == _WORD.findall(text.casefold()), text


def test_fielded_and_session_scores_are_bm25_of_the_documents_they_stand_for(
        tmp_path: Path) -> None:
    """BM25F with a whole-number name weight is BM25 over the passage with its session's
    name repeated that often; session scores are BM25 over each session as one document."""
    from bot.search import build
    from bot.search.index import WHOLE_SESSIONS, dense_scores
    from bot.search.tokenizer import tokenize

    report = load_corpus([CORPUS])
    db = tmp_path / "i.db"
    build_index(report, db)
    weight = int(build.NAME_WEIGHT)
    assert weight == build.NAME_WEIGHT, "the check below needs a whole-number weight"
    fielded_docs, session_docs, owner = [], [], []
    for sid, session in enumerate(report.sessions):
        name = tokenize(build.session_name(session))
        whole = list(name)
        for p in session.passages:
            terms = passage_terms(p.heading, p.text)
            fielded_docs.append(terms + name * weight)
            whole += terms
            owner.append(sid)
        session_docs.append(whole)
    fielded_ref, session_ref = BM25Okapi(fielded_docs), BM25Okapi(session_docs)
    queries = _queries(fielded_docs, 60, seed=7)

    async def run() -> None:
        index = await Index.open(db)
        try:
            for query in queries:
                ours = await index.search_fielded(query, limit=5)
                ref = fielded_ref.get_scores(query)
                for pid, score in ours:
                    assert score == pytest.approx(ref[pid], rel=1e-4, abs=1e-4)
                per_session = dense_scores(await index.postings(query, table=WHOLE_SESSIONS),
                                           Counter(query),
                                           len(index.sessions))
                assert per_session == pytest.approx(session_ref.get_scores(query),
                                                    rel=1e-4, abs=1e-4)
                mixed = await index.search_fielded(query, limit=5, session_weight=0.5)
                for pid, score in mixed:
                    expected = ref[pid] + 0.5 * per_session[owner[pid]]
                    assert score == pytest.approx(expected, rel=1e-4, abs=1e-4)
        finally:
            await index.close()

    asyncio.run(run())


def test_an_acronyms_plural_meets_its_singular() -> None:
    """Snowball keeps the "s" of a vowelless word, so "VMs" in a question would never
    match "VM" in the notes; words with a vowel still go to the stemmer."""
    from bot.search.tokenizer import tokenize

    assert tokenize("VMs SSDs PRs") == tokenize("VM SSD PR") == ["vm", "ssd", "pr"]
    assert tokenize("APIs apis") == ["api", "api"]
    assert tokenize("bus gas ms k8s") == ["bus", "gas", "ms", "k8s"]
