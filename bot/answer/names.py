"""Recognising a session named loosely in a question ("the Ceph talk", "Josh's session").

Every session's title, aliases and speakers give it naming terms. A question's terms that
are naming terms of few sessions point at those sessions; the rarer among titles, the
stronger.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.search.index import SessionRecord
from bot.search.tokenizer import tokenize

KEYWORD_NAMING = 0.5


class SessionNames:
    def __init__(self, sessions: Iterable[SessionRecord]):
        self.terms_of: dict[int, set[str]] = {}
        self.title_terms_of: dict[int, set[str]] = {}
        self.speaker_terms_of: dict[int, set[str]] = {}
        self.keywords_of: dict[int, set[str]] = {}
        self.sessions_with: dict[str, set[int]] = defaultdict(set)
        self.keyword_sessions: dict[str, set[int]] = defaultdict(set)
        for session in sessions:
            names = " ".join([session.title, *session.aliases, *session.speakers])
            terms = set(tokenize(names))
            self.terms_of[session.id] = terms
            self.title_terms_of[session.id] = set(tokenize(session.title))
            self.speaker_terms_of[session.id] = set(tokenize(" ".join(session.speakers)))
            for term in terms:
                self.sessions_with[term].add(session.id)
            self.keywords_of[session.id] = set(session.keywords) - terms
            for term in self.keywords_of[session.id]:
                self.keyword_sessions[term].add(session.id)
        self.count = max(len(self.terms_of), 1)
        # How many sessions have each title (as terms): a title only one has names it alone.
        self.titles_alike = Counter(frozenset(t) for t in self.title_terms_of.values())
        # Each name's whole weight, the denominator of match's share (the same every question).
        self.name_weight = {sid: sum(self.weight(t) for t in terms) or 1.0
                            for sid, terms in self.terms_of.items()}
        # Title words by length: a word one edit away is at most one letter longer or shorter.
        self.vocabulary: dict[int, list[str]] = defaultdict(list)
        for term in sorted(t for t in self.sessions_with if len(t) >= 4):
            self.vocabulary[len(term)].append(term)

    def only_title(self, session_id: int, terms: Iterable[str]) -> bool:
        """Whether ``terms`` are the session's whole title, and no other session has it
        ("kind" for the session "Kind": one common word, but all of that title)."""
        title = frozenset(self.title_terms_of.get(session_id, ()))
        return bool(title) and frozenset(terms) == title and self.titles_alike[title] == 1

    def weight(self, term: str) -> float:
        """How much naming a term does: 0 if no title has it, high if only one does."""
        holders = len(self.sessions_with.get(term, ()))
        if not holders:
            return 0.0
        return math.log(1 + self.count / holders)

    def near_spellings(self, terms: Iterable[str]) -> dict[str, str]:
        """Question words one edit away from a title word ("Grizzy" for "Grizzly"): notes
        and questions both have typos, and a title is worth matching anyway."""
        out: dict[str, str] = {}
        for term in set(terms):
            if len(term) < 5 or term in self.sessions_with:
                continue
            nearby = [w for n in (len(term) - 1, len(term), len(term) + 1)
                      for w in self.vocabulary.get(n, ())]
            found = process.extractOne(term, nearby, scorer=Levenshtein.distance,
                                       score_cutoff=1)
            if found is not None:
                out[term] = found[0]
        return out

    def match(self, terms: Iterable[str], near: dict[str, str] | None = None
              ) -> dict[int, float]:
        """Sessions named by the question, with the share of their name it matched (0..1].
        ``near``: near_spellings of the terms, if already known."""
        unique = set(terms)
        unique |= set((self.near_spellings(unique) if near is None else near).values())
        scores: dict[int, float] = defaultdict(float)
        for term in unique:
            holders = self.sessions_with.get(term)
            if not holders or len(holders) > max(3, self.count // 4):
                continue  # a word in many titles ("OpenStack") names nothing
            weight = self.weight(term)
            for sid in holders:
                scores[sid] += weight
        out: dict[int, float] = {}
        for sid, score in scores.items():
            share = score / self.name_weight[sid]
            # Half a title or more names the session; one common word of it barely does.
            out[sid] = min(1.0, share + 0.25) if share >= 0.5 else share * 0.5
        candidates = set().union(*(self.sessions_with.get(t, ()) for t in unique))
        for sid in candidates:  # every word of the title is in the question: named in full
            title_terms = self.title_terms_of[sid]
            if len(title_terms) >= 2 and title_terms <= unique:
                out[sid] = 1.0
        for term in unique:  # the session's subject, named without its title's words
            holders = self.keyword_sessions.get(term)
            if holders and len(holders) <= 2:
                for sid in holders:
                    out[sid] = max(out.get(sid, 0.0), KEYWORD_NAMING)
        return out
