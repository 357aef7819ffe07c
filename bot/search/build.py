"""Building an index aside and swapping it in at once.

The new index is written to a temporary file beside the target, flushed to disk, and
renamed over the target in one ``os.replace``. A build that fails, or a process killed at
any moment, leaves the previous index file untouched and serving.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.corpus.models import LoadReport, Session
from bot.search.acronyms import acronym_pairs
from bot.search.bm25 import EPSILON, K1, B, Postings, compute_postings
from bot.search.schema import DDL, SCHEMA_VERSION
from bot.search.semantic import (
    KEY_BYTES,
    SENTENCE_DTYPE,
    Embedder,
    embedding_key,
    passage_sentences,
    passage_text,
)
from bot.search.tokenizer import split_words, tokenize, word_terms

BUILD_MARK = ".build-"
# In the fielded postings a word of the session's name (see session_name) counts this many
# times a word of the passage (BM25F with one k1 and b). Fitted on
# the paraphrase set's tune split by tests/eval/fit_retrieval.py.
NAME_WEIGHT = 4.0


@dataclass(slots=True)
class BuildStats:
    sessions: int
    passages: int
    terms: int
    seconds: float
    embedded: int = 0  # passage and sentence vectors computed (not reused from the last index)


def passage_terms(heading: str | None, text: str) -> list[str]:
    """What is indexed for a passage: its sub-heading and its text."""
    return tokenize(f"{heading}\n{text}") if heading else tokenize(text)


class _WordIds(dict[str, int]):
    """word -> the vocabulary id of its term (-1 for a stopword), assigning ids to new terms
    on first sight."""

    def __init__(self, vocab: dict[str, int]):
        super().__init__()
        self.vocab = vocab

    def terms(self, word: str) -> list[int]:
        vocab = self.vocab
        return [vocab.setdefault(term, len(vocab)) for term in word_terms(word)]

    def __missing__(self, word: str) -> int:
        ids = self.terms(word)
        value = ids[-1] if ids else -1  # only "x()" words have two terms; slow path
        self[word] = value
        return value


def session_name(session: Session) -> str:
    """The words a question may name a session by, indexed as the session's name field: its
    title, speakers, aliases, track, tags, summit, and the folder its notes are in, which
    often names the event ("pygotham", "KubeCon-2017")."""
    folder = session.source.rsplit("/", 2)[-2] if session.source.count("/") >= 2 else ""
    where = re.sub(r"[_.\-]+", " ", folder)
    return "\n".join([session.title, *session.speakers, *session.aliases,
                      session.track or "", *session.tags, session.summit or "", where])


def _names_per_passage(
    flat: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64],
    passage_session: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each passage's copy of its session's name terms (``flat``: every session's, in
    order; ``sizes``: how many each), flat, and how many per passage."""
    starts = np.cumsum(sizes) - sizes
    per_passage = sizes[passage_session] if passage_session.size else sizes[:0]
    total = int(per_passage.sum())
    within = np.arange(total) - np.repeat(np.cumsum(per_passage) - per_passage, per_passage)
    return flat[np.repeat(starts[passage_session], per_passage) + within], per_passage


def session_keywords(
    tokens: np.ndarray, token_session: np.ndarray, vocab_size: int, n_sessions: int,
    per_session: int = 8,
) -> dict[int, list[int]]:
    """Terms that mark a session: frequent in it and rare elsewhere ("RedDwarf" for the
    Database as a Service talk), so a question can name the session by its subject."""
    if tokens.size == 0 or n_sessions < 2:
        return {}
    keys = token_session * vocab_size + tokens
    unique, counts = np.unique(keys, return_counts=True)
    sess, term = unique // vocab_size, unique % vocab_size
    total = np.bincount(term, weights=counts, minlength=vocab_size)
    share = counts / total[term]
    keep = (counts >= 3) & (share >= 0.6)
    out: dict[int, list[int]] = {}
    order = np.lexsort((-counts[keep], sess[keep]))
    for s_id, t_id in zip(sess[keep][order].tolist(), term[keep][order].tolist(), strict=True):
        chosen = out.setdefault(s_id, [])
        if len(chosen) < per_session:
            chosen.append(t_id)
    return out


def _temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}{BUILD_MARK}{os.getpid()}-{time.time_ns()}")


def remove_stale_builds(target: Path) -> None:
    """Delete temporary files left by builds that were killed (their process is gone)."""
    for leftover in target.parent.glob(f".{target.name}{BUILD_MARK}*"):
        try:
            pid = int(leftover.name.split(BUILD_MARK, 1)[1].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and _alive(pid):
            continue
        with contextlib.suppress(OSError):
            leftover.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build_index(
    report: LoadReport,
    target: Path | str,
    progress: Callable[[str], None] | None = None,
    name_weight: float = NAME_WEIGHT,
    embedder: Embedder | None = None,
) -> BuildStats:
    """Write an index of the loaded sessions to ``target``, atomically. Blocking: run it in a
    worker thread or process, never on the event loop. With an ``embedder``, passage and
    sentence vectors are stored too; those of text that did not change since the index at
    ``target`` was built are taken from it instead of being computed again."""
    started = time.perf_counter()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(target)
    temp = _temp_path(target)
    try:
        previous, previous_sentences = (_previous_vectors(target, embedder.name)
                                        if embedder else ({}, {}))
        stats = _write(report.sessions, report, temp, progress, name_weight)
        if embedder:
            stats.embedded = _write_vectors(report.sessions, temp, embedder, previous,
                                            progress)
            stats.embedded += _write_sentence_vectors(report.sessions, temp, embedder,
                                                      previous_sentences, progress)
        os.replace(temp, target)
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    stats.seconds = time.perf_counter() - started
    return stats


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write(
    sessions: list[Session],
    report: LoadReport,
    path: Path,
    progress: Callable[[str], None] | None,
    name_weight: float,
) -> BuildStats:
    vocab: dict[str, int] = {}
    word_ids = _WordIds(vocab)
    lookup = word_ids.__getitem__
    # One id per word (-1 for a stopword), so the hot loop stays in C; the few words that
    # give two terms ("fork()" -> "fork()", "fork") take a slower path.
    flat: list[int] = []
    words_per_passage: list[int] = []
    session_rows = []
    passage_rows = []
    passage_session: list[int] = []
    acronyms: set[tuple[str, str]] = set()
    pid = 0
    for sid, session in enumerate(sessions):
        first = pid
        for passage in session.passages:
            text = f"{passage.heading}\n{passage.text}" if passage.heading else passage.text
            words = split_words(text)
            if "()" in text:
                ids = [i for w in words for i in word_ids.terms(w)]
                flat.extend(ids)
                words_per_passage.append(len(ids))
            else:
                flat.extend(map(lookup, words))
                words_per_passage.append(len(words))
            passage_rows.append([pid, sid, passage.position, passage.heading, passage.text, 0])
            if "(" in passage.text or ", " in passage.text:  # the forms acronyms take
                acronyms.update(acronym_pairs(passage.text))
            passage_session.append(sid)
            pid += 1
        session_rows.append([
            sid, session.title, json.dumps(session.speakers), session.summit, session.date,
            session.track, json.dumps(session.tags), session.url, json.dumps(session.aliases),
            session.source, session.fingerprint(), pid - first, "[]",
            json.dumps(asdict(session.slot)) if session.slot else None,
        ])
    all_ids = np.asarray(flat, dtype=np.int64)
    owner = np.repeat(np.arange(pid, dtype=np.int64), words_per_passage)
    kept = all_ids >= 0
    tokens, doc_of = all_ids[kept], owner[kept]
    lengths = np.bincount(doc_of, minlength=pid)
    for row, length in zip(passage_rows, lengths.tolist(), strict=True):
        row[5] = length
    if progress:
        progress("scoring")
    postings = compute_postings(tokens, lengths, len(vocab), doc_of=doc_of)
    owner_session = np.asarray(passage_session, dtype=np.int64)
    name_ids = [[i for word in split_words(session_name(s)) for i in word_ids.terms(word)]
                for s in sessions]
    # Fielded: each passage with its session's name, the name's words weighing more.
    names_flat = np.asarray([i for ids in name_ids for i in ids], dtype=np.int64)
    names_size = np.asarray([len(ids) for ids in name_ids], dtype=np.int64)
    name_tokens, name_sizes = _names_per_passage(names_flat, names_size, owner_session)
    fielded = compute_postings(
        np.concatenate([tokens, name_tokens]),
        lengths + name_weight * name_sizes, len(vocab),
        doc_of=np.concatenate([doc_of, np.repeat(np.arange(pid, dtype=np.int64), name_sizes)]),
        token_weight=np.concatenate([np.ones(tokens.size), np.full(name_tokens.size,
                                                                   name_weight)]))
    # Session-level: each session's notes and name as one document.
    session_tokens = np.concatenate(
        [owner_session[doc_of], np.repeat(np.arange(len(sessions), dtype=np.int64),
                                          names_size)]).astype(np.int64)
    session_terms = np.concatenate([tokens, names_flat])
    whole = compute_postings(session_terms, np.bincount(session_tokens,
                                                        minlength=len(sessions)),
                             len(vocab), doc_of=session_tokens)
    terms_by_id = list(vocab)
    for sid, keywords in session_keywords(tokens, owner_session[doc_of], len(vocab),
                                          len(sessions)).items():
        session_rows[sid][12] = json.dumps([terms_by_id[t] for t in keywords])
    if progress:
        progress("writing")
    conn = sqlite3.connect(path)
    try:
        conn.executescript("PRAGMA page_size=8192; PRAGMA journal_mode=OFF; "
                           "PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; "
                           "PRAGMA cache_size=-65536;")
        conn.executescript(DDL)
        conn.executemany("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         session_rows)
        conn.executemany("INSERT INTO passages VALUES (?,?,?,?,?,?)", passage_rows)
        for table, table_postings in (("postings", postings),
                                      ("fielded_postings", fielded),
                                      ("session_postings", whole)):
            _insert_postings(conn, table, table_postings, terms_by_id)
        conn.execute("INSERT INTO arrays VALUES ('passage_session', ?)",
                     (np.asarray(passage_session, dtype=np.uint32).tobytes(),))
        conn.executemany("INSERT OR IGNORE INTO acronyms VALUES (?,?)", acronyms)
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "built_at": str(time.time()),
            "passages": str(pid),
            "sessions": str(len(sessions)),
            "terms": str(len(vocab)),
            "avgdl": repr(postings.avgdl),
            "name_weight": repr(name_weight),
            "k1": repr(K1), "b": repr(B), "epsilon": repr(EPSILON),
            "files_read": str(report.files_read),
        }
        conn.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
        conn.commit()
    finally:
        conn.close()
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
    return BuildStats(len(sessions), pid, len(vocab), 0.0)


def _insert_postings(conn: sqlite3.Connection, table: str, postings: Postings,
                     terms_by_id: list[str]) -> None:
    bounds = np.searchsorted(postings.term_ids, np.arange(len(terms_by_id) + 1))
    ids, impacts = postings.passage_ids, postings.impacts
    conn.executemany(
        f"INSERT INTO {table} VALUES (?,?,?,?)",
        (
            (terms_by_id[t], int(postings.doc_freq[t]),
             ids[bounds[t]:bounds[t + 1]].tobytes(), impacts[bounds[t]:bounds[t + 1]].tobytes())
            for t in range(len(terms_by_id)) if bounds[t + 1] > bounds[t]
        ),
    )


def _previous_vectors(target: Path, model_name: str
                      ) -> tuple[dict[bytes, bytes], dict[bytes, bytes]]:
    """Key -> vector bytes of the passages and of the sentences from the index being
    replaced, if it used the same model (an index of the layout before sentence vectors
    still gives its passages')."""
    none: tuple[dict[bytes, bytes], dict[bytes, bytes]] = ({}, {})
    if not target.exists():
        return none
    try:
        with contextlib.closing(sqlite3.connect(
                f"file:{target.resolve().as_posix()}?mode=ro", uri=True)) as conn:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("semantic_model") != model_name:
                return none
            dims = int(meta["semantic_dimensions"])
            arrays = dict(conn.execute(
                "SELECT name, data FROM arrays WHERE name IN ('embeddings', "
                "'embedding_keys')").fetchall())
            try:
                rows = conn.execute("SELECT keys, vectors FROM sentence_vectors").fetchall()
            except sqlite3.OperationalError:  # no such table: built before sentence vectors
                rows = []
    except (sqlite3.DatabaseError, KeyError, ValueError):
        return none
    passages = _keyed(arrays.get("embedding_keys", b""), arrays.get("embeddings", b""),
                      dims * 4)
    sentences: dict[bytes, bytes] = {}
    for keys, vectors in rows:
        sentences.update(_keyed(keys, vectors, dims * np.dtype(SENTENCE_DTYPE).itemsize))
    return passages, sentences


def _keyed(keys: bytes, vectors: bytes, size: int) -> dict[bytes, bytes]:
    """Keys (KEY_BYTES each) paired with the vectors (``size`` bytes each) stored beside
    them; nothing when the two do not match in count."""
    count = len(keys) // KEY_BYTES
    if len(vectors) != count * size:
        return {}
    return {keys[i * KEY_BYTES:(i + 1) * KEY_BYTES]: vectors[i * size:(i + 1) * size]
            for i in range(count)}


def _write_sentence_vectors(sessions: list[Session], path: Path, embedder: Embedder,
                            previous: dict[bytes, bytes],
                            progress: Callable[[str], None] | None) -> int:
    """Store a vector per sentence of each passage (semantic.passage_sentences), reusing
    those the replaced index had; returns how many were embedded."""
    per_passage = [passage_sentences(p.text) for s in sessions for p in s.passages]
    keyed = [[(embedding_key(embedder.name, t), t) for t in texts] for texts in per_passage]
    vectors: dict[bytes, bytes] = {}
    missing: dict[bytes, str] = {}
    for pairs in keyed:
        for key, text in pairs:
            if key in previous:
                vectors[key] = previous[key]
            else:
                missing[key] = text
    if progress and missing:
        progress(f"embedding {len(missing)} sentences")
    pending = list(missing.items())
    for start in range(0, len(pending), 256):
        chunk = pending[start:start + 256]
        encoded = embedder.encode([text for _key, text in chunk])
        for (key, _text), vector in zip(chunk, encoded, strict=True):
            vectors[key] = vector.astype(SENTENCE_DTYPE).tobytes()
    conn = sqlite3.connect(path)
    try:
        conn.executemany("INSERT INTO sentence_vectors VALUES (?, ?, ?)", [
            (pid, b"".join(k for k, _t in pairs), b"".join(vectors[k] for k, _t in pairs))
            for pid, pairs in enumerate(keyed) if pairs])
        conn.commit()
    finally:
        conn.close()
    return len(missing)


def _write_vectors(sessions: list[Session], path: Path, embedder: Embedder,
                   previous: dict[bytes, bytes],
                   progress: Callable[[str], None] | None) -> int:
    """Store one unit vector per passage (in passage order) and their keys."""
    texts = [passage_text(s.title, p.heading, p.text) for s in sessions for p in s.passages]
    keys = [embedding_key(embedder.name, t) for t in texts]
    rows: list[bytes | None] = [previous.get(k) for k in keys]
    missing = [i for i, row in enumerate(rows) if row is None]
    # Reusing every vector needs no model: its size is that of the stored ones.
    dims = embedder.dimensions if missing or not rows else len(rows[0] or b"") // 4
    if progress and missing:
        progress(f"embedding {len(missing)} passages")
    for start in range(0, len(missing), 256):
        chunk = missing[start:start + 256]
        for i, vector in zip(chunk, embedder.encode([texts[i] for i in chunk]), strict=True):
            rows[i] = vector.astype(np.float32).tobytes()
    conn = sqlite3.connect(path)
    try:
        conn.executemany("INSERT INTO arrays VALUES (?, ?)", [
            ("embeddings", b"".join(r or b"" for r in rows)),
            ("embedding_keys", b"".join(keys))])
        conn.executemany("INSERT INTO meta VALUES (?,?)", [
            ("semantic_model", embedder.name), ("semantic_dimensions", str(dims))])
        conn.commit()
    finally:
        conn.close()
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
    return len(missing)
