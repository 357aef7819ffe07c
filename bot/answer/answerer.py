"""Choosing the passage that answers a question, or saying the notes do not cover it.

Fielded BM25 (each passage with its session's name, plus its whole session's score)
ranks the candidates, with a small prior for a session's opening passages and, with the
semantic extra, the question's similarity to each passage. Whether the best one is given
as an answer, a hedged answer or declined is up to the confidence model (confidence.py),
from how much of the question it covers (rare words weigh more, synonyms and acronyms
count), its lead over other sessions, and whether the question names its session. A
question that names a summit ("in Barcelona") is answered from that summit's sessions only
(scope.py).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.answer.confidence import FITTED, FITTED_SEMANTIC, ConfidenceModel, Evidence
from bot.answer.highlight import match_spans
from bot.answer.models import Answer, Quote
from bot.answer.names import SessionNames
from bot.answer.question import LIGHT_TERMS, Question
from bot.answer.scope import Scope, SummitLabels
from bot.answer.thesaurus import Thesaurus, curated
from bot.search.index import Index, PassageRecord, Postings, SessionRecord
from bot.search.semantic import Embedder
from bot.search.tokenizer import STOPWORDS, split_words, term_for, tokenize

# Each passage's BM25F score (with its session's name as a field) plus this share of its
# whole session's BM25. Fitted on the paraphrase set's tune split, with the name field's
# weight (bot/search/build.py NAME_WEIGHT), by tests/eval/fit_retrieval.py.
SESSION_WEIGHT = 0.75
# Hits fetched, and how many of them are judged (hand-set; the alternatives and the
# confidence model look no further than the first few).
CANDIDATES = 60
RESCORED = 30
# With the semantic extra, the passages most similar to the question join the candidates
# (only two in three right passages are in BM25's top 60).
SEMANTIC_CANDIDATES = 20
# A word found only through a synonym or acronym counts this much of the word itself when
# judging coverage (hand-set; coverage only feeds the fitted confidence model).
SYNONYM_CREDIT = 0.8
# A synonym's or acronym's terms weigh this much in the query, and the position prior is
# POSITION_BONUS / (1 + position): both best on the tune split among the values
# tests/eval/fit_query.py tries.
EXPANSION_WEIGHT = 0.4
POSITION_BONUS = 0.06
# A passage that only introduces the speakers (their bios, as proposals list them) answers
# questions about those people, not about the talk: for any other question it ranks after
# the talk's own notes. On the tune split no right passage is such an introduction (0 of
# 110), and any weight from 0 to 0.5 gives the same figures; 0 says the rule plainly.
PROFILE_WEIGHT = 0.0
# Words that ask for a link: a passage of links may be the answer then.
LINK_TERMS = frozenset(tokenize(
    "link links url urls slides slide deck video videos recording recordings repo repos "
    "repository github website site page pages paper papers blog post"))
# Words that ask about the people rather than the talk ("which speaker works at AT&T?").
PEOPLE_TERMS = frozenset(tokenize(
    "speaker speakers presenter presenters panelist panelists bio bios background "
    "biography employer career"))
# A question word this long may be two words of the notes written as one ("lookup"); only
# tried when the notes never write it as one word (hand-set).
MIN_SPLIT_CHARS = 6
# A question naming a session this fully (SessionNames.match: 1.0 is every word of its
# title) and asking nothing else is about that session (hand-set).
NAMED_IN_FULL = 0.75
# A passage "says something" with at least this many words besides links: a session's
# opening quoted for a question about the whole session is the first such passage among
# its first few, and a passage of links gives way to one (hand-set).
MIN_OWN_WORDS = 4
OPENING_LOOKAHEAD = 3
# A question that names only what several sessions' names share lists this many of them.
SEVERAL_LISTED = 5
# Generic words ("use", "good") weigh this much when judging coverage (hand-set, as above).
LIGHT_WEIGHT = 0.35


@dataclass(slots=True, frozen=True)
class Weights:
    """How a candidate's score adds up (see Answerer.answer). Fitted on the paraphrase set's
    tune split by tests/eval/fit_weights.py. Coverage and a named session used to add to
    the score too (hand-set, then fitted); on the check split that lost right answers to
    retrieval alone, so they now only decide how sure an answer is."""

    bm25: float = 1.0  # fielded BM25 (+ session share), relative to the best candidate's
    early: float = 1.0  # times POSITION_BONUS / (1 + position)
    semantic: float = 0.0  # times the cosine similarity, with the semantic extra
    sentence: float = 0.0  # times the closest sentence's cosine similarity, likewise

    def score(self, f: Features) -> float:
        return (self.bm25 * f.bm25 + self.early * f.early + self.semantic * f.semantic
                + self.sentence * f.sentence)


# With the semantic extra (fitted by tests/eval/fit_weights.py --semantic all-MiniLM-L6-v2
# on train + tune: passage@1 178 -> 187 of 327 with the closest sentence's similarity).
SEMANTIC_WEIGHTS = Weights(bm25=1.0, early=3.0, semantic=3.0, sentence=1.0)


@dataclass(slots=True, frozen=True)
class Features:
    """What is known of a candidate: the first two rank it; all decide how sure it is."""

    bm25: float
    early: float
    coverage: float  # share of the question's weight the passage and its session's name cover
    named: float  # how strongly the question names the passage's session
    semantic: float = 0.0  # cosine of the question's and the passage's vectors (0 without)
    sentence: float = 0.0  # the best cosine of the question with one of its sentences


BULLETS = ("- ", "* ", "+ ", "• ")


def is_speaker_list(text: str, speakers: tuple[str, ...]) -> bool:
    """Whether the text is a bulleted list whose every item opens with a speaker's name
    ("- Jane Doe (Jane works on …)"); continuation lines belong to their item."""
    items: list[str] = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(BULLETS):
            items.append(stripped[2:].lstrip())
        elif stripped and not items:
            return False  # prose before the list: the passage says more than who
    return bool(items) and all(item.startswith(speakers) for item in items)


_ASKS_NUMBER = re.compile(r"\b(how (?:many|much|big|large|long|fast|old|often|small)|what "
                          r"(?:percentage|percent|number|size|version|year)|which (?:version|"
                          r"year)|when did)\b", re.IGNORECASE)
_ASKS_REASON = re.compile(r"\s*(?:why|when|where)\b", re.IGNORECASE)
_ASKS_PERSON = re.compile(r"^\s*(?:who|whose)\b|\bwhich (?:company|companies|vendor|team|"
                          r"speaker|person|people)\b", re.IGNORECASE)
_NAME_LIKE = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")


def answer_kind_fit(question: str, passage: str, speakers: tuple[str, ...]) -> float:
    """Whether the passage holds the kind of thing the question asks for: a number for
    "how many", a name for "who"; 1 it does, -1 it does not, 0 the question asks neither."""
    if _ASKS_NUMBER.search(question):
        return 1.0 if any(c.isdigit() for c in passage) else -1.0
    if _ASKS_PERSON.search(question):
        held = any(name and name in passage for name in speakers) or bool(
            _NAME_LIKE.search(passage))
        return 1.0 if held else -1.0
    return 0.0


_LINK = re.compile(r"<?https?://\S+|\bwww\.\S+")


def says_something(text: str) -> bool:
    """Whether a passage has words of its own, beyond links ("* https://…/schedule/49186"):
    a list of links is no answer to what a talk was about."""
    return len(split_words(_LINK.sub(" ", text))) >= MIN_OWN_WORDS


def is_light(term: str) -> bool:
    """Generic words, and short numbers (a "5" in a question is usually a version that a
    "3.5" in the notes would match by accident)."""
    return term in LIGHT_TERMS or (term.isdigit() and len(term) <= 2)


@dataclass(slots=True)
class Scored:
    passage: PassageRecord
    bm25: float
    coverage: float
    own_coverage: float  # by the passage's own words, without the session's name
    score: float
    features: Features


class Answerer:
    """Answers questions from one open index (rebuild the Answerer when the index changes)."""

    def __init__(self, index: Index, thesaurus: Thesaurus | None = None,
                 confidence: ConfidenceModel | None = None, weights: Weights | None = None,
                 embedder: Embedder | None = None):
        self.index = index
        # Only the model the passage vectors were made with (same name, same size) can be
        # compared with them; any other is left out rather than fail every question.
        usable = (embedder is not None and index.embeddings is not None
                  and embedder.name == index.semantic_model
                  and embedder.dimensions == index.embeddings.shape[1])
        self.embedder = embedder if usable else None
        semantic = self.embedder is not None
        self.confidence = confidence or (FITTED_SEMANTIC if semantic else FITTED)
        self.weights = weights or (SEMANTIC_WEIGHTS if semantic else Weights())
        self.names = SessionNames(index.sessions)
        self.labels = SummitLabels(index.sessions)
        self.thesaurus = thesaurus or curated()

    @classmethod
    async def create(cls, index: Index, embedder: Embedder | None = None) -> Answerer:
        """With the acronyms the notes define added to the curated thesaurus, and the
        semantic model when the index holds passage vectors made by it."""
        thesaurus = curated()
        for short, long in await index.acronyms():
            thesaurus.add_pair(short, long)
        return cls(index, thesaurus, embedder=embedder)

    def _idf(self, df: int) -> float:
        n = self.index.passage_count
        return max(math.log((n - df + 0.5) / (df + 0.5) + 1.0), 0.05)

    async def answer(self, question: Question, trace: list[Scored] | None = None) -> Answer:
        scope = await self._scope(question)
        if scope is not None:
            answer = await self._answer(question, scope, trace)
            if answer is not None:
                return answer
        answer = await self._answer(question, None, trace)
        assert answer is not None  # without a scope there is always an answer
        if scope is not None:
            # Nothing of the question in the summit it names: the closest passage of the
            # other notes, said to be from elsewhere, and never sure.
            answer.elsewhere = scope.words
            answer.confident = False
        return answer

    async def _scope(self, question: Question) -> Scope | None:
        """The summit the question names, when the index holds several and some of the
        question's content is left once its name is taken out."""
        candidates = [scope for scope in self.labels.candidates(question.text)
                      if not all(t in scope.terms for t in question.content_terms)]
        if not candidates:
            return None
        doc_freqs = await self.index.doc_freqs({t for c in candidates for t in c.terms})
        return next((scope for scope in candidates if SummitLabels.rare_enough(
            scope, doc_freqs, self.index.passage_count)), None)

    async def _answer(self, question: Question, scope: Scope | None,
                      trace: list[Scored] | None) -> Answer | None:
        """The answer from the notes, or from the named summit's only (None when nothing
        there matches a word of the question)."""
        index = self.index
        place = scope.terms if scope is not None else frozenset()
        terms = ([t for t in question.content_terms if t not in place]
                 or [t for t in question.terms if t not in place] or list(question.terms))
        unique = list(dict.fromkeys(terms))
        alternatives = {t: set(self.thesaurus.expand(t)) for t in unique}
        await self._add_compounds(question.text, alternatives)
        # The query keeps the cue words ("talk", "mention"): on the tune split dropping them
        # changed nothing, and the simpler query is kept.
        query = [t for t in question.terms if t not in place] or list(question.terms)
        asked = set(query)
        weights: dict[str, float] = {}
        for alts in alternatives.values():
            for alt in alts:
                for part in alt:
                    if part not in weights and part not in asked:
                        weights[part] = EXPANSION_WEIGHT / len(alt)
                        query.append(part)
        near = self.names.near_spellings(question.terms)
        named = self.names.match(question.terms, near)
        allowed = self._allowed(scope)
        hits = await index.search_fielded(query, limit=CANDIDATES, weights=weights,
                                          session_weight=SESSION_WEIGHT, allowed=allowed)
        if not hits and scope is not None:
            return None
        if not hits:
            return Answer(question=question.text, answered=False, confident=False,
                          nearest=self._nearest_by_name(named))
        # The question's terms' postings: how rare each is, and which candidates hold it.
        own_postings = await index.postings(
            set(alternatives) | {t for alts in alternatives.values() for alt in alts for t in alt})
        dfs = {t: len(own_postings[t][0]) for t in unique if t in own_postings}
        term_weight = {t: self._idf(dfs.get(t, 0)) * (LIGHT_WEIGHT if is_light(t) else 1.0)
                       for t in unique}
        total = sum(term_weight.values()) or 1.0
        top = hits[:RESCORED]
        similar = await self._similar(question.text, allowed)
        cosine = None
        closest_sentence: dict[int, float] = {}
        if similar is not None:  # passages that say it in other words join the candidates
            cosine, nearest, asked_vector = similar
            have = {pid for pid, _ in top}
            top += [(pid, 0.0) for pid in nearest if pid not in have]
            closest_sentence = await self._closest_sentences(
                [pid for pid, _ in top], asked_vector, cosine)
        passages = await index.passages([pid for pid, _ in top])
        contains = self._containing([pid for pid, _ in top], own_postings)
        best_bm25 = top[0][1] or 1.0
        # Asks who, or about the speakers: their bios may answer (see PROFILE_WEIGHT).
        about_people = question.asks_who or not PEOPLE_TERMS.isdisjoint(asked)
        scored: list[Scored] = []
        for pid, bm25 in top:
            passage = passages[pid]
            own = contains.get(pid, set())
            name_terms = self.names.terms_of.get(passage.session_id, set())
            own_cov = cov = 0.0
            for term, weight in term_weight.items():
                credit = 0.0
                if term in own:
                    credit = 1.0
                elif any(all(p in own for p in alt) for alt in alternatives[term]):
                    credit = SYNONYM_CREDIT
                own_cov += credit * weight
                named_by = term in name_terms or near.get(term) in name_terms
                cov += weight if named_by else credit * weight
            own_cov /= total
            cov /= total
            # Notes open with what a talk is about: "what is X" is answered early on.
            early = POSITION_BONUS / (1 + passage.position)
            features = Features(bm25 / best_bm25, early, cov, named.get(passage.session_id, 0.0),
                                float(cosine[pid]) if cosine is not None else 0.0,
                                closest_sentence.get(pid, 0.0))
            score = self.weights.score(features)
            if not about_people and self._only_introduces_speakers(passage, asked):
                score *= PROFILE_WEIGHT
            scored.append(Scored(passage, bm25, cov, own_cov, score, features))
        scored.sort(key=lambda s: (-s.score, s.passage.id))
        if trace is not None:  # the candidates and their features, for fitting the weights
            trace.extend(scored)
        if not LINK_TERMS & asked:
            self._words_before_links(scored)
        best = scored[0]
        about_the_session = self._only_names_its_session(best, unique)
        if (best.own_coverage == 0 and best.coverage > 0) or (
                best.passage.position > 0 and about_the_session):
            # Only the session's name matched ("who gave the Open Compute talk"), or the
            # question says nothing but the name ("what was the Colony talk about?", where a
            # later passage repeats the name): the question is about the session itself, and
            # notes open with what a talk is about.
            opening = await index.session_passages(best.passage.session_id,
                                                   limit=OPENING_LOOKAHEAD)
            said = next((p for p in opening if says_something(p.text)), opening[0])
            best = Scored(said, best.bm25, best.coverage, best.coverage, best.score,
                          best.features)
            scored[0] = best
        highlight = set(question.terms) | set(weights)
        evidence = self._evidence(scored, named, total, question, term_weight, contains)
        outcome = self.confidence.judge(evidence)
        sure_by_rule = about_the_session and self._asks_what_it_was(question, best, unique,
                                                                    evidence)
        if sure_by_rule:
            # its opening, under its title and speakers, is the answer, whatever the model
            # fitted on detail questions says
            outcome = "confident"
        confident = outcome == "confident"
        quote = self._quote(best, highlight)
        # The next two passages that hold a word of the question, from this session or
        # another: on the tune split they held the right passage far more often than the
        # best passage of each of two other sessions (passage@3 0.59 -> 0.69).
        # Chosen first, then quoted: highlighting every candidate was most of an answer's time.
        others = [self._quote(cand, highlight) for cand in itertools.islice(
            (c for c in scored[1:] if c.passage.id != best.passage.id and c.own_coverage > 0),
            2)]
        probability = self.confidence.probability(evidence)
        if sure_by_rule:  # what is reported agrees with the answer given as sure
            probability = max(probability, self.confidence.confident_at)
        if outcome == "declined":
            sharing = self._sessions_sharing_the_name(unique, named)
            return Answer(question=question.text, answered=False, best=quote,
                          nearest=sharing or self._nearest(scored, named),
                          several=bool(sharing), confidence=probability,
                          confident=False, evidence=evidence)
        return Answer(question=question.text, answered=True, best=quote,
                      alternatives=others, confidence=probability, confident=confident,
                      evidence=evidence)

    @staticmethod
    def _words_before_links(scored: list[Scored]) -> None:
        """A list of links first ("* https://…/how-to-learn-rust", matched by a word of its
        address) gives way to its session's next candidate that says something."""
        first = scored[0]
        if says_something(first.passage.text):
            return
        instead = next((c for c in scored[1:] if c.passage.session_id == first.passage.session_id
                        and says_something(c.passage.text)), None)
        if instead is not None:
            scored.remove(instead)
            scored.insert(0, instead)

    def _asks_what_it_was(self, question: Question, best: Scored, terms: list[str],
                          evidence: Evidence) -> bool:
        """A question that names the best passage's session in full ("what was the
        Websockets talk about?", "what is kind?" for the one session titled "Kind") and asks
        nothing but what it was, or who gave it when the notes name its speakers; not why,
        when, where, how big or how many."""
        named_in_full = (evidence.named >= NAMED_IN_FULL
                         or self.names.only_title(best.passage.session_id, terms))
        if not named_in_full:
            return False
        if _ASKS_NUMBER.search(question.text) or _ASKS_REASON.match(question.text):
            return False
        return not question.asks_who or bool(self.index.sessions[best.passage.session_id]
                                             .speakers)

    def _sessions_sharing_the_name(self, terms: list[str], named: dict[int, float]
                                   ) -> list[SessionRecord]:
        """When every word of the question (but generic ones) is in the names of several
        sessions ("Go": "Client-go", "Let's Learn Go!", …), those sessions, most strongly
        named first: the question asks about all of them at once. [] otherwise."""
        content = [t for t in terms if not is_light(t)] or terms  # "go" is generic too
        if not content:
            return []
        sharing = [sid for sid, _ in sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))
                   if all(t in self.names.terms_of.get(sid, ()) for t in content)]
        if len(sharing) < 2:
            return []
        return [self.index.sessions[sid] for sid in sharing[:SEVERAL_LISTED]]

    def _allowed(self, scope: Scope | None) -> npt.NDArray[np.bool_] | None:
        """Which passages a scoped question may be answered from (None: any)."""
        if scope is None or len(scope.sessions) >= len(self.index.sessions):
            return None
        chosen = np.fromiter(scope.sessions, dtype=np.int64, count=len(scope.sessions))
        return np.isin(self.index.passage_session, chosen)

    def _only_names_its_session(self, best: Scored, terms: list[str]) -> bool:
        """Every word of the question (but generic ones) is in the name of the passage's
        session: its title, aliases or speakers."""
        name = self.names.terms_of.get(best.passage.session_id, set())
        return bool(terms) and all(t in name or is_light(t) for t in terms)

    def _only_introduces_speakers(self, passage: PassageRecord, asked: set[str]) -> bool:
        """A list of the session's speakers and nothing else, for a question (its terms
        ``asked``) that does not name one of them."""
        speakers = self.index.sessions[passage.session_id].speakers
        if not speakers:
            return False
        if not self.names.speaker_terms_of.get(passage.session_id, set()).isdisjoint(asked):
            return False
        return is_speaker_list(passage.text, speakers)

    @staticmethod
    def _containing(pids: list[int], postings: Postings) -> dict[int, set[str]]:
        """Which of the question's terms (and their alternatives' terms) each candidate's
        own text holds, read from the passage postings rather than by tokenizing it again."""
        candidates = np.asarray(pids, dtype=np.uint32)
        out: dict[int, set[str]] = {}
        for term, (ids, _) in postings.items():  # ids ascending: binary search
            at = np.minimum(np.searchsorted(ids, candidates), len(ids) - 1)
            for pid in candidates[ids[at] == candidates].tolist():
                out.setdefault(pid, set()).add(term)
        return out

    async def _similar(self, text: str, allowed: npt.NDArray[np.bool_] | None
                       ) -> tuple[npt.NDArray[np.float32], list[int],
                                  npt.NDArray[np.float32]] | None:
        """With the semantic extra: the question's cosine with every passage, the
        passages nearest to it (among the ``allowed``), and its vector. Embedding and
        comparing with every passage (10 ms at 100,000) run in a worker thread, off the
        event loop."""
        embedder, matrix = self.embedder, self.index.embeddings
        if embedder is None or matrix is None:
            return None

        def compare() -> tuple[npt.NDArray[np.float32], list[int], npt.NDArray[np.float32]]:
            vector = embedder.encode([text])[0]
            cosine = matrix @ vector
            pick = cosine if allowed is None else np.where(allowed, cosine, -np.inf)
            count = min(SEMANTIC_CANDIDATES, cosine.size if allowed is None
                        else int(allowed.sum()))
            nearest = np.argpartition(-pick, count - 1)[:count] if count else cosine[:0]
            return cosine, [int(i) for i in nearest], vector

        return await asyncio.to_thread(compare)

    async def _closest_sentences(self, pids: list[int], vector: npt.NDArray[np.float32],
                                 cosine: npt.NDArray[np.float32]) -> dict[int, float]:
        """Each candidate's best cosine with one of its sentences; a passage with no
        sentence long enough to embed alone counts its own cosine."""
        sentences = await self.index.sentence_vectors(pids)
        return {pid: float((sentences[pid] @ vector).max()) if pid in sentences
                else float(cosine[pid]) for pid in pids}

    def _evidence(self, scored: list[Scored], named: dict[int, float], total: float,
                  question: Question, term_weight: dict[str, float],
                  contains: dict[int, set[str]]) -> Evidence:
        best = scored[0]
        runner_up = next((c for c in scored[1:]
                          if c.passage.session_id != best.passage.session_id), None)
        margin = 1.0
        if runner_up is not None and best.score > 0:
            margin = max(0.0, (best.score - runner_up.score) / best.score)
        rarest = sorted(term_weight, key=lambda t: -term_weight[t])[:2]
        own = contains.get(best.passage.id, set())
        rare_weight = sum(term_weight[t] for t in rarest) or 1.0
        rare_held = sum(term_weight[t] for t in rarest if t in own) / rare_weight
        crowd = sum(1 for c in scored[1:10] if c.score >= 0.9 * best.score) / 9
        speakers = self.names.speaker_terms_of.get(best.passage.session_id, set())
        lexical_first = max(scored, key=lambda c: (c.features.bm25, -c.passage.id))
        return Evidence(
            coverage=best.coverage, own_coverage=best.own_coverage,
            near_coverage=max((c.coverage for c in scored[:3] if c.own_coverage > 0),
                              default=0.0),
            named=named.get(best.passage.session_id, 0.0), margin=margin,
            strength=best.bm25 / total, semantic=best.features.semantic,
            sentence=best.features.sentence,
            rare_held=rare_held, crowd=crowd,
            kind_fit=answer_kind_fit(question.text, best.passage.text,
                                     self.index.sessions[best.passage.session_id].speakers),
            speaker_named=float(bool(speakers & set(question.terms))),
            agree=float(lexical_first.passage.id == best.passage.id))

    async def _add_compounds(self, text: str,
                             alternatives: dict[str, set[tuple[str, ...]]]) -> None:
        """"boot storm" in a question, "bootstorm" in the notes: adjacent words whose joined
        form is a word of the notes stand for it."""
        words = [w for w in split_words(text) if w not in STOPWORDS]
        pairs: dict[str, tuple[str, str]] = {}
        for first, second in itertools.pairwise(words):
            joined = term_for(first + second)
            a, b = term_for(first), term_for(second)
            if joined and a and b and a in alternatives and b in alternatives:
                pairs[joined] = (a, b)
        # and the other way: "lookup" in a question, "look up" in the notes
        splits: dict[str, list[tuple[str, str]]] = {}
        for word in words:
            whole = term_for(word)
            if whole is None or whole not in alternatives or len(word) < MIN_SPLIT_CHARS:
                continue
            for cut in range(3, len(word) - 2):
                a, b = term_for(word[:cut]), term_for(word[cut:])
                if a and b and a != b:
                    splits.setdefault(whole, []).append((a, b))
        if not pairs and not splits:
            return
        parts = {t for options in splits.values() for pair in options for t in pair}
        known = await self.index.doc_freqs([*pairs, *splits, *parts])
        for joined, (a, b) in pairs.items():
            if known.get(joined):
                alternatives[a].add((joined,))
                alternatives[b].add((joined,))
        for whole, options in splits.items():
            if known.get(whole):
                continue  # the notes write it as one word too: nothing to add
            for a, b in options:
                if known.get(a) and known.get(b):
                    alternatives[whole].add((a, b))

    def _quote(self, scored: Scored, terms: set[str]) -> Quote:
        session = self.index.sessions[scored.passage.session_id]
        text = scored.passage.text
        return Quote(session=session, passage=scored.passage, text=text,
                     marks=match_spans(text, terms), score=scored.score)

    def _nearest(self, scored: list[Scored], named: dict[int, float]
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
