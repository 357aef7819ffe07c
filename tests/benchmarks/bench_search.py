"""Speed of indexing and retrieval, side by side with rank-bm25 and SQLite FTS5.

Not a test: run it by hand, e.g.
    .venv/bin/python tests/benchmarks/bench_search.py --sizes 10000 100000 \
        --real ../shared/corpora ../shared/seed
It builds synthetic passages (Zipf-distributed words, ~60 words each), then for each engine
prints build time, query p50/p99 and open + first answer, and our ratios to the anchors.
With --real it does the same on real notes (queries: content words of random passages),
and times the whole ``summit-bot index`` process on them, cold (every file parsed) and
warm (unchanged files taken from the reader cache).

With --semantic MODEL (the semantic extra) it also measures the whole answer with the
model: the question is embedded for real; the synthetic passages get random unit vectors
(the cost of comparing them does not depend on their values; embedding 100,000 passages
would take most of an hour on two cores), the real ones are embedded for real, which
gives the embedding throughput at index time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bot.answer import Answerer, parse_question
from bot.corpus.models import LoadReport, Passage, Session
from bot.search.build import build_index, passage_terms
from bot.search.index import Index
from bot.search.semantic import KEY_BYTES, SENTENCE_DTYPE
from bot.search.tokenizer import STOPWORDS, tokenize

SYLLABLES = ["ka", "lo", "mi", "ster", "an", "ver", "po", "tri", "del", "sun", "ro", "ix",
             "bra", "cen", "dor", "el", "fa", "gin", "hu", "jo", "qu", "ry", "ta", "ze"]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic(n_passages: int, seed: int = 7) -> tuple[list[Session], list[str]]:
    """Passages of Zipf-distributed words whose most frequent ranks are English stopwords,
    as in real notes (the tokenizer drops them; rank-bm25 gets the same tokens)."""
    rng = random.Random(seed)
    words = sorted(STOPWORDS) + vocabulary(40_000, rng)
    rng.shuffle(words := words[:])  # stopwords spread over the head, not alphabetical
    head = [w for w in words if w in STOPWORDS]
    words = head + [w for w in words if w not in STOPWORDS]
    np_rng = np.random.default_rng(seed)
    ranks = np.minimum(np_rng.zipf(1.15, size=n_passages * 60), len(words)) - 1
    sessions: list[Session] = []
    pos = 0
    per_session = 8
    for s in range(0, n_passages, per_session):
        session = Session(title=f"Session {s // per_session}", source=f"s{s}.md")
        for i in range(min(per_session, n_passages - s)):
            length = int(np_rng.integers(30, 90))
            chunk = ranks[pos:pos + length]
            pos = (pos + length) % (len(ranks) - 100)
            text = " ".join(words[r] for r in chunk).capitalize() + "."
            session.passages.append(Passage(text=text, position=i))
        sessions.append(session)
    return sessions, words


def queries(words: list[str], count: int, seed: int = 11) -> list[str]:
    """Chat-like questions: question words and stopwords, plus 2-4 content words, one of
    them often among the most common content words of the notes."""
    rng = random.Random(seed)
    content = [w for w in words if w not in STOPWORDS]
    out = []
    for _ in range(count):
        picks = [content[rng.randint(0, 50)]] if rng.random() < 0.5 else []
        picks += [content[int(rng.paretovariate(0.35)) % 20_000] for _ in range(rng.randint(1, 3))]
        out.append("what did they say about the " + " and ".join(picks))
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) * 1000


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ours(sessions: list[Session], qs: list[str], folder: Path) -> dict[str, float]:
    db = folder / "ours.sqlite3"
    n = sum(len(s.passages) for s in sessions)
    started = time.perf_counter()
    build_index(LoadReport(sessions=sessions), db)  # tokenizing included
    build = time.perf_counter() - started

    async def run() -> dict[str, float]:
        t0 = time.perf_counter()
        index = await Index.open(db)
        answerer = Answerer(index)
        first = await answerer.answer(parse_question(qs[0]))
        open_first = time.perf_counter() - t0
        assert first is not None
        retrieval, answering = [], []
        for q in qs:
            terms = tokenize(q)
            t = time.perf_counter()
            await index.search(terms, limit=10)
            retrieval.append(time.perf_counter() - t)
        for q in qs:
            t = time.perf_counter()
            await answerer.answer(parse_question(q))
            answering.append(time.perf_counter() - t)
        await index.close()
        return {"open_first": open_first, "p50": pct(retrieval, 50), "p99": pct(retrieval, 99),
                "answer_p50": pct(answering, 50), "answer_p99": pct(answering, 99)}

    result = asyncio.run(run())
    result.update(build=build, rate=n / build, size_mib=db.stat().st_size / 2**20)
    return result


SENTENCES_PER_PASSAGE = 3  # the real notes' candidates have 3.4 sentences on average


def add_random_vectors(db: Path, model_name: str, dims: int, seed: int = 3) -> None:
    """Store random unit vectors as the index's passage vectors, and SENTENCES_PER_PASSAGE
    per passage as its sentence vectors (latency only)."""
    with sqlite3.connect(db) as conn:
        n = int(conn.execute("SELECT value FROM meta WHERE key = 'passages'").fetchone()[0])
        rng = np.random.default_rng(seed)
        vectors = rng.standard_normal((n, dims)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        conn.execute("INSERT INTO arrays VALUES ('embeddings', ?)", (vectors.tobytes(),))
        for start in range(0, n, 10_000):
            count = min(10_000, n - start)
            rows = rng.standard_normal((count, SENTENCES_PER_PASSAGE, dims)).astype(np.float32)
            rows /= np.linalg.norm(rows, axis=2, keepdims=True)
            conn.executemany("INSERT INTO sentence_vectors VALUES (?, ?, ?)", [
                (start + i, rng.bytes(KEY_BYTES * SENTENCES_PER_PASSAGE),
                 rows[i].astype(SENTENCE_DTYPE).tobytes()) for i in range(count)])
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("semantic_model", model_name), ("semantic_dimensions", str(dims))])


def bench_semantic(db: Path, qs: list[str], embedder: Any) -> dict[str, float]:
    """The whole answer with the semantic model, on an index that holds passage vectors."""
    async def run() -> dict[str, float]:
        index = await Index.open(db)
        answerer = await Answerer.create(index, embedder)
        assert answerer.embedder is embedder
        await answerer.answer(parse_question(qs[0]))  # first call warms torch up
        times = []
        for q in qs:
            t = time.perf_counter()
            await answerer.answer(parse_question(q))
            times.append(time.perf_counter() - t)
        await index.close()
        return {"p50": pct(times, 50), "p99": pct(times, 99)}

    return asyncio.run(run())


def bench_rank_bm25(sessions: list[Session], qs: list[str], max_queries: int
                    ) -> dict[str, float]:
    from rank_bm25 import BM25Okapi

    docs_text = [p.text for s in sessions for p in s.passages]
    started = time.perf_counter()
    docs = [passage_terms(None, t) for t in docs_text]
    model = BM25Okapi(docs)
    build = time.perf_counter() - started
    times = []
    for q in qs[:max_queries]:
        terms = tokenize(q)
        t = time.perf_counter()
        scores = model.get_scores(terms)
        np.argpartition(-scores, 10)[:10]
        times.append(time.perf_counter() - t)
    # rank-bm25 keeps nothing on disk: "open + first answer" is a rebuild plus a query
    return {"build": build, "rate": len(docs) / build, "p50": pct(times, 50),
            "p99": pct(times, 99), "open_first": build + statistics.median(times)}


def bench_fts5(sessions: list[Session], qs: list[str], folder: Path) -> dict[str, float]:
    db = folder / "fts5.sqlite3"
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("CREATE VIRTUAL TABLE p USING fts5(text, tokenize='porter unicode61')")
    conn.executemany("INSERT INTO p(text) VALUES (?)",
                     ((p.text,) for s in sessions for p in s.passages))
    conn.commit()
    conn.close()
    build = time.perf_counter() - started
    n = sum(len(s.passages) for s in sessions)
    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    sql = "SELECT rowid, bm25(p) FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 10"

    def match(q: str) -> str:  # the same content words we search for, OR-ed
        return " OR ".join(f'"{w}"' for w in q.split() if w not in STOPWORDS)

    conn.execute(sql, (match(qs[0]),)).fetchall()
    open_first = time.perf_counter() - t0
    times = []
    for q in qs:
        t = time.perf_counter()
        conn.execute(sql, (match(q),)).fetchall()
        times.append(time.perf_counter() - t)
    conn.close()
    return {"build": build, "rate": n / build, "p50": pct(times, 50), "p99": pct(times, 99),
            "open_first": open_first}


def real_notes(paths: list[str], count: int, seed: int = 5
               ) -> tuple[list[Session], list[str], float]:
    """Sessions of real notes (and the seconds reading them took, in this process) and
    queries of 2-5 content words drawn from random passages."""
    from bot.corpus.loader import load_corpus

    started = time.perf_counter()
    report = load_corpus([Path(p) for p in paths])
    seconds = time.perf_counter() - started
    rng = random.Random(seed)
    texts = [p.text for s in report.sessions for p in s.passages]
    qs: list[str] = []
    while len(qs) < count:
        words = [w for w in rng.choice(texts).split() if w.isalpha() and w.lower()
                 not in STOPWORDS]
        if len(words) >= 2:
            qs.append(" ".join(rng.sample(words, min(len(words), rng.randint(2, 5)))))
    return report.sessions, qs, seconds


def time_index_process(paths: list[str], folder: Path) -> tuple[float, float]:
    """Wall seconds of the whole ``summit-bot index`` process: cold, then warm."""
    db = folder / "cli.sqlite3"
    runs = []
    for extra in (["--reread"], []):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "index", *paths, "--db", str(db), *extra],
                       check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    return runs[0], runs[1]


def report_engines(label: str, ours: dict[str, float], ref: dict[str, float],
                   fts: dict[str, float]) -> None:
    print(f"\n== {label}")
    print(f"{'engine':<12}{'build s':>9}{'passages/s':>12}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'open+1st ms':>13}")
    for name, r in (("summit-bot", ours), ("rank-bm25", ref), ("sqlite-fts5", fts)):
        print(f"{name:<12}{r['build']:>9.2f}{r['rate']:>12,.0f}{r['p50']:>9.2f}"
              f"{r['p99']:>9.2f}{r['open_first'] * 1000:>13.1f}")
    print(f"summit-bot whole answer (re-ranking included): p50 {ours['answer_p50']:.2f} ms,"
          f" p99 {ours['answer_p99']:.2f} ms; index file {ours['size_mib']:.1f} MiB; "
          f"peak RSS so far {rss_mib():.0f} MiB")
    print(f"ratios: p50 {ref['p50'] / ours['p50']:.0f}x faster than rank-bm25, "
          f"{fts['p50'] / ours['p50']:.1f}x faster than FTS5; p99 "
          f"{ref['p99'] / ours['p99']:.0f}x / {fts['p99'] / ours['p99']:.1f}x; "
          f"open+first {ref['open_first'] / ours['open_first']:.0f}x faster than a "
          f"rank-bm25 rebuild")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--rank-bm25-queries", type=int, default=40)
    parser.add_argument("--real", nargs="+", metavar="PATH", default=[],
                        help="also measure on these notes folders")
    parser.add_argument("--semantic", metavar="MODEL", default=None,
                        help="also measure answers with this model (the semantic extra)")
    args = parser.parse_args()
    embedder = None
    if args.semantic:
        from bot.search.semantic import load_embedder

        before = rss_mib()
        embedder = load_embedder(args.semantic)
        print(f"semantic model {args.semantic} loaded: peak RSS {before:.0f} -> "
              f"{rss_mib():.0f} MiB")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    for size in args.sizes:
        sessions, words = synthetic(size)
        qs = queries(words, args.queries)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            gc.collect()
            ours = bench_ours(sessions, qs, folder)
            fts = bench_fts5(sessions, qs, folder)
            ref = bench_rank_bm25(sessions, qs, args.rank_bm25_queries)
            if embedder is not None:
                add_random_vectors(folder / "ours.sqlite3", embedder.name, embedder.dimensions)
                semantic = bench_semantic(folder / "ours.sqlite3", qs[:200], embedder)
        report_engines(f"{size:,} synthetic passages, {len(qs)} queries (rank-bm25: "
                       f"{min(len(qs), args.rank_bm25_queries)})", ours, ref, fts)
        if embedder is not None:
            print(f"with {embedder.name} (random passage and sentence vectors): whole answer p50 "
                  f"{semantic['p50']:.1f} ms, p99 {semantic['p99']:.1f} ms; "
                  f"peak RSS so far {rss_mib():.0f} MiB")
    if args.real:
        sessions, qs, reading = real_notes(args.real, args.queries)
        n = sum(len(s.passages) for s in sessions)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            cold, warm = time_index_process(args.real, folder)
            ours = bench_ours(sessions, qs, folder)
            fts = bench_fts5(sessions, qs, folder)
            ref = bench_rank_bm25(sessions, qs, args.rank_bm25_queries)
        report_engines(f"real notes ({' '.join(args.real)}): {len(sessions):,} sessions, "
                       f"{n:,} passages, {len(qs)} queries", ours, ref, fts)
        print(f"reading the notes (parsing, one process per core): {reading:.2f} s; "
              f"whole `summit-bot index` process: {cold:.2f} s cold, {warm:.2f} s warm")
        if embedder is not None:
            with tempfile.TemporaryDirectory() as tmp:
                db = Path(tmp) / "semantic.sqlite3"
                started = time.perf_counter()
                stats = build_index(LoadReport(sessions=sessions), db, embedder=embedder)
                seconds = time.perf_counter() - started
                semantic = bench_semantic(db, qs[:200], embedder)
            print(f"with {embedder.name}: index with vectors {seconds:.1f} s "
                  f"({stats.embedded / seconds:.0f} passages and sentences/s embedded); "
                  f"whole answer p50 "
                  f"{semantic['p50']:.1f} ms, p99 {semantic['p99']:.1f} ms; "
                  f"peak RSS so far {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
