"""Reading an index: async (aiosqlite) so that no query blocks the bot's event loop.

Opening reads only small things (metadata, the passage-to-session array, session rows);
each query reads the posting lists of its terms and adds up precomputed impacts with numpy.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import numpy as np
import numpy.typing as npt

from bot.corpus.models import Slot
from bot.search.schema import SCHEMA_VERSION
from bot.search.semantic import SENTENCE_DTYPE

PASSAGES = "postings"
FIELDED = "fielded_postings"
WHOLE_SESSIONS = "session_postings"


class IndexUnusable(Exception):
    """The index cannot be used; the message says what to do."""


class IndexMissing(IndexUnusable):
    pass


class IndexVersionMismatch(IndexUnusable):
    """Not an index this summit-bot can read (or not an index at all): re-index."""


class IndexOutdated(IndexVersionMismatch):
    """A summit-bot index of another schema version: safe to rebuild in its place."""


@dataclass(slots=True, frozen=True)
class SessionRecord:
    id: int
    title: str
    speakers: tuple[str, ...]
    summit: str | None
    date: str | None
    track: str | None
    tags: tuple[str, ...]
    url: str | None
    aliases: tuple[str, ...]
    source: str
    fingerprint: str
    passage_count: int
    keywords: tuple[str, ...] = ()
    slot: Slot | None = None  # its place in the official schedule, when it has one

    @property
    def source_link(self) -> str:
        """What to show as the source: the talk's URL if the notes give one, else the file."""
        return self.url or self.source


@dataclass(slots=True, frozen=True)
class PassageRecord:
    id: int
    session_id: int
    position: int
    heading: str | None
    text: str
    length: int


def _session(row: Sequence[Any]) -> SessionRecord:
    return SessionRecord(
        id=row[0], title=row[1], speakers=tuple(json.loads(row[2])), summit=row[3],
        date=row[4], track=row[5], tags=tuple(json.loads(row[6])), url=row[7],
        aliases=tuple(json.loads(row[8])), source=row[9], fingerprint=row[10],
        passage_count=row[11], keywords=tuple(json.loads(row[12])),
        slot=Slot.of(json.loads(row[13])) if row[13] else None,
    )


class Index:
    """An open, read-only index. Cheap to open; safe to share between tasks."""

    def __init__(self, path: Path, conn: aiosqlite.Connection, meta: dict[str, str],
                 passage_session: npt.NDArray[np.uint32], sessions: list[SessionRecord]):
        self.path = path
        self._conn = conn
        self.meta = meta
        self.passage_session = passage_session
        self.sessions = sessions
        self.passage_count = int(meta["passages"])
        self.built_at = float(meta["built_at"])
        # Unit vectors of the passages, when the index was built with a semantic model.
        self.semantic_model: str | None = meta.get("semantic_model")
        self.embeddings: npt.NDArray[np.float32] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> Index:
        path = Path(path)
        if not path.exists():
            raise IndexMissing(
                f"No index at {path}; build it with `summit-bot index --db {path} [NOTES...]`.")
        uri = f"file:{path.resolve().as_posix()}?mode=ro&immutable=1"
        conn = await aiosqlite.connect(uri, uri=True)
        try:
            try:
                rows = await conn.execute_fetchall("SELECT key, value FROM meta")
            except sqlite3.DatabaseError as exc:
                raise IndexVersionMismatch(
                    f"{path} is not a summit-bot index ({exc}); run `summit-bot index` "
                    "to rebuild it.") from exc
            meta = {str(k): str(v) for k, v in rows}
            version = meta.get("schema_version")
            if version != str(SCHEMA_VERSION):
                raise IndexOutdated(
                    f"The index at {path} has schema version {version}, but this summit-bot "
                    f"reads version {SCHEMA_VERSION}; run `summit-bot index` to re-index.")
            blob = list(await conn.execute_fetchall(
                "SELECT data FROM arrays WHERE name = 'passage_session'"))
            passage_session = np.frombuffer(blob[0][0], dtype=np.uint32)
            session_rows = await conn.execute_fetchall("SELECT * FROM sessions ORDER BY id")
            sessions = [_session(r) for r in session_rows]
            if any(s.id != n for n, s in enumerate(sessions)):  # callers index by id
                raise IndexVersionMismatch(
                    f"The sessions in {path} are not numbered 0..{len(sessions) - 1}; run "
                    "`summit-bot index` to rebuild it.")
            index = cls(path, conn, meta, passage_session, sessions)
            if index.semantic_model:
                rows = list(await conn.execute_fetchall(
                    "SELECT data FROM arrays WHERE name = 'embeddings'"))
                dims = int(meta["semantic_dimensions"])
                index.embeddings = np.frombuffer(rows[0][0], dtype=np.float32).reshape(-1, dims)
        except BaseException:
            await conn.close()
            raise
        return index

    async def close(self) -> None:
        await self._conn.close()

    async def search(
        self, terms: Sequence[str], limit: int = 50,
        weights: dict[str, float] | None = None,
    ) -> list[tuple[int, float]]:
        """Top passages by BM25 for the query terms (repeats count, as in rank-bm25)."""
        postings = await self.postings(terms)
        return rank(postings, Counter(terms), self.passage_count, limit, weights)

    async def search_fielded(
        self, terms: Sequence[str], limit: int = 50,
        weights: dict[str, float] | None = None, session_weight: float = 0.0,
        allowed: npt.NDArray[np.bool_] | None = None,
    ) -> list[tuple[int, float]]:
        """Top passages by BM25F over each passage with its session's name, plus
        ``session_weight`` x the BM25 of the passage's whole session; only ``allowed``
        passages (a mask over all of them) when given."""
        counts = Counter(terms)
        tables = (FIELDED, WHOLE_SESSIONS) if session_weight else (FIELDED,)
        found = await self.postings_of(terms, tables)  # one round trip to the database
        fielded = found[FIELDED]
        base = None
        if session_weight:
            whole = found[WHOLE_SESSIONS]
            per_session = dense_scores(whole, counts, len(self.sessions), weights)
            base = (per_session * np.float32(session_weight))[self.passage_session]
        return rank(fielded, counts, self.passage_count, limit, weights, base=base,
                    allowed=allowed)

    async def postings(
        self, terms: Iterable[str], table: str = PASSAGES,
    ) -> dict[str, tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32]]]:
        """Each term's ids and impacts in one of the three postings tables."""
        return (await self.postings_of(terms, (table,)))[table]

    async def postings_of(self, terms: Iterable[str], tables: Sequence[str]) -> dict[str, Postings]:
        """The terms' postings in several tables, read in one query."""
        for table in tables:
            if table not in (PASSAGES, FIELDED, WHOLE_SESSIONS):
                raise ValueError(f"no postings table {table!r}")
        out: dict[str, Postings] = {table: {} for table in tables}
        unique = sorted(set(terms))
        if not unique or not tables:
            return out
        marks = ",".join("?" * len(unique))
        sql = " UNION ALL ".join(
            f"SELECT {n}, term, ids, impacts FROM {table} WHERE term IN ({marks})"
            for n, table in enumerate(tables))
        rows = await self._conn.execute_fetchall(sql, unique * len(tables))
        for n, term, ids, imps in rows:
            out[tables[n]][term] = (np.frombuffer(ids, dtype=np.uint32),
                                    np.frombuffer(imps, dtype=np.float32))
        return out

    async def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        unique = sorted(set(terms))
        if not unique:
            return {}
        marks = ",".join("?" * len(unique))
        rows = await self._conn.execute_fetchall(
            f"SELECT term, df FROM postings WHERE term IN ({marks})", unique)
        return {str(t): int(df) for t, df in rows}

    async def sentence_vectors(self, ids: Sequence[int]) -> dict[int, npt.NDArray[np.float32]]:
        """With the semantic extra: each passage's sentence vectors (rows), for those of
        ``ids`` that have sentences long enough to embed."""
        if not ids or self.embeddings is None:
            return {}
        dims = self.embeddings.shape[1]
        marks = ",".join("?" * len(ids))
        rows = await self._conn.execute_fetchall(
            f"SELECT passage, vectors FROM sentence_vectors WHERE passage IN ({marks})",
            [int(i) for i in ids])
        return {int(pid): np.frombuffer(blob, dtype=SENTENCE_DTYPE).reshape(-1, dims)
                .astype(np.float32) for pid, blob in rows}

    async def passages(self, ids: Sequence[int]) -> dict[int, PassageRecord]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self._conn.execute_fetchall(
            f"SELECT id, session_id, position, heading, text, length FROM passages "
            f"WHERE id IN ({marks})", [int(i) for i in ids])
        return {r[0]: PassageRecord(*r) for r in rows}

    async def session_passages(self, session_id: int, limit: int = 1000) -> list[PassageRecord]:
        rows = await self._conn.execute_fetchall(
            "SELECT id, session_id, position, heading, text, length FROM passages "
            "WHERE session_id = ? ORDER BY position LIMIT ?", (session_id, limit))
        return [PassageRecord(*r) for r in rows]

    async def opening_passages(self, session_ids: Sequence[int],
                               skip_heading: str | None = None) -> dict[int, str]:
        """Each session's first passage (a scheduled talk's abstract), in one query; a
        passage under ``skip_heading`` (the speakers' bios) is not an opening."""
        wanted = {int(i) for i in session_ids}
        if not wanted:
            return {}
        rows = await self._conn.execute_fetchall(
            "SELECT session_id, text, heading FROM passages WHERE position = 0")
        return {int(sid): str(text) for sid, text, heading in rows
                if sid in wanted and (skip_heading is None or heading != skip_heading)}

    async def acronyms(self) -> list[tuple[str, str]]:
        rows = await self._conn.execute_fetchall("SELECT short, long FROM acronyms")
        return [(str(a), str(b)) for a, b in rows]


Postings = dict[str, tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32]]]


def _factors(postings: Postings, counts: Counter[str],
             weights: dict[str, float] | None) -> dict[str, float]:
    return {term: counts.get(term, 1) * (weights.get(term, 1.0) if weights else 1.0)
            for term in postings}


def dense_scores(postings: Postings, counts: Counter[str], n_docs: int,
                 weights: dict[str, float] | None = None) -> npt.NDArray[np.float32]:
    """Every document's score, as one array."""
    scores = np.zeros(n_docs, dtype=np.float32)
    for term, factor in _factors(postings, counts, weights).items():
        ids, impacts = postings[term]
        scores[ids] += impacts if factor == 1 else impacts * np.float32(factor)
    return scores


def rank(
    postings: Postings,
    counts: Counter[str],
    n_passages: int,
    limit: int,
    weights: dict[str, float] | None = None,
    base: npt.NDArray[np.float32] | None = None,
    allowed: npt.NDArray[np.bool_] | None = None,
) -> list[tuple[int, float]]:
    """Add up impacts per passage (onto ``base``, a score every passage starts with) and
    return the best ``limit`` (id, score), best first; only ``allowed`` passages (a mask)
    when given."""
    if (not postings and base is None) or n_passages == 0:
        return []
    factors = _factors(postings, counts, weights)
    total = sum(len(ids) for ids, _ in postings.values())
    if base is None and total * 4 < n_passages:
        # Few postings: sum per candidate without touching an array of every passage.
        ids_all = np.concatenate([ids for ids, _ in postings.values()])
        impacts_all = np.concatenate([
            impacts if factors[term] == 1 else impacts * np.float32(factors[term])
            for term, (_, impacts) in postings.items()])
        hits, inverse = np.unique(ids_all, return_inverse=True)
        hit_scores = np.bincount(inverse, weights=impacts_all).astype(np.float32)
        if allowed is not None:
            keep = allowed[hits]
            hits, hit_scores = hits[keep], hit_scores[keep]
    else:
        scores = (np.zeros(n_passages, dtype=np.float32) if base is None
                  else base.astype(np.float32, copy=True))
        for term, (ids, impacts) in postings.items():
            factor = factors[term]
            scores[ids] += impacts if factor == 1 else impacts * np.float32(factor)
        if allowed is not None:
            scores[~allowed] = 0.0
        hits = np.flatnonzero(scores)
        hit_scores = scores[hits]
    if hits.size == 0:
        return []
    if hits.size > limit:
        top = np.argpartition(-hit_scores, limit - 1)[:limit]
        hits, hit_scores = hits[top], hit_scores[top]
    order = np.lexsort((hits, -hit_scores))
    # tolist() makes Python ints and floats in C: thousands of hits cost no Python loop
    return list(zip(hits[order].tolist(), hit_scores[order].astype(np.float64).tolist(),
                    strict=True))
