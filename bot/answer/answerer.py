"""Choosing the passage that answers a question, or saying the notes do not cover it.

BM25 retrieves candidates; they are then re-scored by how much of the question's weight
each covers (rare words weigh more), with help from a session the question names, and the
answer is declined when even the best passage leaves most of the question uncovered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.answer.highlight import match_spans
from bot.answer.models import Answer, Quote
from bot.answer.names import SessionNames
from bot.answer.question import Question
from bot.search.build import passage_terms
from bot.search.index import Index, PassageRecord, SessionRecord

CANDIDATES = 60
RESCORED = 30
# Share of the question's weight the best passage (with its session's name) must cover.
MIN_COVERAGE = 0.55
ALTERNATIVE_MIN_COVERAGE = 0.5


@dataclass(slots=True)
class _Scored:
    passage: PassageRecord
    bm25: float
    coverage: float
    own_coverage: float  # by the passage's own words, without the session's name
    score: float


class Answerer:
    """Answers questions from one open index (rebuild the Answerer when the index changes)."""

    def __init__(self, index: Index):
        self.index = index
        self.names = SessionNames(index.sessions)

    def _idf(self, df: int) -> float:
        n = self.index.passage_count
        return max(math.log((n - df + 0.5) / (df + 0.5) + 1.0), 0.05)

    async def answer(self, question: Question) -> Answer:
        index = self.index
        terms = list(question.content_terms) or list(question.terms)
        named = self.names.match(question.terms)
        hits = await index.search(terms, limit=CANDIDATES)
        if not hits:
            return Answer(question=question.text, answered=False,
                          nearest=self._nearest_by_name(named))
        dfs = await index.doc_freqs(terms)
        weights = {t: self._idf(dfs.get(t, 0)) for t in set(terms)}
        total = sum(weights[t] for t in set(terms)) or 1.0
        top = hits[:RESCORED]
        passages = await index.passages([pid for pid, _ in top])
        best_bm25 = top[0][1] or 1.0
        scored: list[_Scored] = []
        for pid, bm25 in top:
            passage = passages[pid]
            own = set(passage_terms(passage.heading, passage.text))
            name_terms = self.names.terms_of.get(passage.session_id, set())
            own_cov = sum(w for t, w in weights.items() if t in own) / total
            cov = sum(w for t, w in weights.items() if t in own or t in name_terms) / total
            name_bonus = named.get(passage.session_id, 0.0)
            score = 0.45 * (bm25 / best_bm25) + 0.45 * cov + 0.25 * name_bonus
            scored.append(_Scored(passage, bm25, cov, own_cov, score))
        scored.sort(key=lambda s: (-s.score, s.passage.id))
        best = scored[0]
        highlight = set(question.terms)
        answered = best.coverage >= MIN_COVERAGE and best.own_coverage > 0
        quote = self._quote(best, highlight)
        alternatives: list[Quote] = []
        seen_sessions = {best.passage.session_id}
        for cand in scored[1:]:
            if len(alternatives) == 2:
                break
            if cand.passage.session_id in seen_sessions:
                continue
            if cand.coverage >= max(ALTERNATIVE_MIN_COVERAGE, best.coverage * 0.7) and \
                    cand.own_coverage > 0:
                alternatives.append(self._quote(cand, highlight))
                seen_sessions.add(cand.passage.session_id)
        if not answered:
            return Answer(question=question.text, answered=False, best=quote,
                          nearest=self._nearest(scored, named), confidence=best.coverage)
        return Answer(question=question.text, answered=True, best=quote,
                      alternatives=alternatives, confidence=best.coverage)

    def _quote(self, scored: _Scored, terms: set[str]) -> Quote:
        session = self.index.sessions[scored.passage.session_id]
        text = scored.passage.text
        return Quote(session=session, passage=scored.passage, text=text,
                     marks=match_spans(text, terms), score=scored.score)

    def _nearest(self, scored: list[_Scored], named: dict[int, float]
                 ) -> list[SessionRecord]:
        """Up to three sessions that come closest, for a reply that declines."""
        order: list[int] = []
        for sid, _ in sorted(named.items(), key=lambda kv: -kv[1]):
            order.append(sid)
        by_session: dict[int, float] = {}
        for s in scored:
            by_session[s.passage.session_id] = by_session.get(s.passage.session_id, 0.0) + s.score
        for sid, _ in sorted(by_session.items(), key=lambda kv: -kv[1]):
            if sid not in order:
                order.append(sid)
        return [self.index.sessions[sid] for sid in order[:3]]

    def _nearest_by_name(self, named: dict[int, float]) -> list[SessionRecord]:
        order = sorted(named.items(), key=lambda kv: -kv[1])[:3]
        return [self.index.sessions[sid] for sid, _ in order]
