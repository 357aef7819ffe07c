"""BM25 Okapi impacts, computed exactly as rank-bm25's ``BM25Okapi`` scores.

Each (term, passage) pair gets its whole contribution precomputed ("impact"), so a query
only adds up stored numbers. idf = ln((N - df + 0.5) / (df + 0.5)), and a negative idf is
replaced by epsilon x the mean idf over all terms, as rank-bm25 does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

K1 = 1.5
B = 0.75
EPSILON = 0.25


@dataclass(slots=True)
class Postings:
    """Every term's passage ids and impacts, sorted by term id then passage id."""

    term_ids: npt.NDArray[np.int64]  # one per (term, passage) pair
    passage_ids: npt.NDArray[np.uint32]
    impacts: npt.NDArray[np.float32]
    doc_freq: npt.NDArray[np.int64]  # per term id
    avgdl: float


def compute_postings(
    token_ids: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64] | npt.NDArray[np.float64],
    vocab_size: int,
    k1: float = K1,
    b: float = B,
    epsilon: float = EPSILON,
    doc_of: npt.NDArray[np.int64] | None = None,
    token_weight: npt.NDArray[np.float64] | None = None,
) -> Postings:
    """From the concatenated term ids of all passages (and each passage's length, or the
    passage of each token).

    With ``token_weight``, a token counts that much towards its term's frequency (BM25F:
    a word of the session's title weighs more than one of the passage), and ``lengths``
    must be the weighted lengths; a document holds a term whatever its weight."""
    n_docs = len(lengths)
    if doc_of is None:
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths.astype(np.int64))
    keys = token_ids * max(n_docs, 1) + doc_of
    if token_weight is None:
        unique_keys, tf = np.unique(keys, return_counts=True)
    else:
        unique_keys, inverse = np.unique(keys, return_inverse=True)
        tf = np.bincount(inverse, weights=token_weight, minlength=unique_keys.size)
    term_ids = unique_keys // max(n_docs, 1)
    docs = unique_keys % max(n_docs, 1)
    doc_freq = np.bincount(term_ids, minlength=vocab_size)
    idf = np.log((n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
    if vocab_size:
        average_idf = float(idf.sum()) / vocab_size
        idf[idf < 0] = epsilon * average_idf
    avgdl = float(lengths.sum()) / n_docs if n_docs else 0.0
    dl = lengths[docs].astype(np.float64)
    tf64 = tf.astype(np.float64)
    norm = k1 * (1 - b + b * dl / avgdl) if avgdl else np.full_like(dl, k1)
    impacts = idf[term_ids] * (tf64 * (k1 + 1)) / (tf64 + norm)
    return Postings(
        term_ids=term_ids,
        passage_ids=docs.astype(np.uint32),
        impacts=impacts.astype(np.float32),
        doc_freq=doc_freq,
        avgdl=avgdl,
    )
