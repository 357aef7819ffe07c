"""Which summit a question names ("at KubeCon", "in Barcelona", "the 2012 summit").

An index that serves several summits should answer "what did they say about upgrades in
Barcelona?" from the Barcelona notes, not from a passage that happens to mention the city.
Each session is labelled by its summit and the folders its notes are in
(``barcelona-2016/…``); a run of label words after "at", "in", "from" or "during" (or
between "the" and "summit") names the sessions whose labels hold all of them. Those words
then say where to look, not what to look for: the answerer searches only those sessions
and does not expect a passage to repeat them.

A label word that is also common in the notes' text ("k8s", "openstack", "build") is a
topic as often as a place ("secrets in k8s", "at build time"), so only years, words rare in
the text, and words capitalized after "at" or "during" ("at Build") can name a summit; the
caller checks that against the index (``rare_enough``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from bot.search.index import SessionRecord
from bot.search.tokenizer import split_words, term_for, tokenize

# Words that open a place or time: "at KubeCon", "in Barcelona", "from DockerCon".
OPENERS = frozenset({"at", "in", "from", "during"})
# Of those, the ones after which a capitalized common word is a name ("at Build", "during
# Ignite"); "in" is too often a topic ("in Kubernetes").
PROPER_OPENERS = frozenset({"at", "during"})
# Words a summit's name may carry that name no summit by themselves (nor do folders such
# as doc/ or source/): part of a run, never enough for one.
GENERIC = frozenset(tokenize(
    "summit summits conference conferences con event events notes note session sessions "
    "talk talks keynote keynotes day days doc docs source sources proposal proposals "
    "track tracks edition"))
# Words after a run that end it cleanly ("at KubeCon, what…", "the 2012 summit talk"); any
# other word means the run was the start of a topic ("in the source code").
_ENDERS = GENERIC | frozenset(tokenize("workshop panel lab meetup breakout unconference"))
_YEAR = re.compile(r"(?:19|20)\d\d").fullmatch
_SEPARATORS = re.compile(r"[_.\-/]+")
# A label word found in more than this share of passages is a topic too (hand-set: on the
# shared corpora "kubecon", "barcelona" and "oscon" are under 0.5%, "k8s" and "github" over
# 1%); years are exempt.
MAX_TEXT_SHARE = 0.01


def folders_of(source: str) -> list[str]:
    """The folders a session's notes are in, below the folder indexed ("kubecon-2017"); a
    schedule read from an absolute path or a URL has none ("/srv/data/…" and
    "https://pretalx.com/…" say nothing of the summit)."""
    if not source or source.startswith("/") or "://" in source:
        return []
    return source.split("/")[:-1]


def label_terms(session: SessionRecord) -> set[str]:
    """The words that place a session: its summit and the folders its notes are in."""
    text = " ".join([session.summit or "", *folders_of(session.source)])
    out: set[str] = set()
    for word in split_words(_SEPARATORS.sub(" ", text)):
        term = term_for(word)
        if term is None or len(term) < 2:
            continue
        if term.isdigit() and not _YEAR(term):
            continue  # "05-contributor-summit", "doc/source/67": numbers, not places
        out.add(term)
    return out


@dataclass(slots=True, frozen=True)
class Scope:
    """The summit a question names: its words in the question, and the sessions it means."""

    terms: frozenset[str]
    sessions: frozenset[int]
    words: str  # as the question writes it ("the Hong Kong summit"), for messages
    # terms the question writes capitalized after "at" or "during" ("at Build"): a proper
    # name, however common the word is in the notes ("build")
    proper: frozenset[str] = frozenset()
    # named without a place word ("what did GitHub Universe say"): only a word rare in the
    # notes' text makes it a name
    bare: bool = False


class SummitLabels:
    """Every session's label words, and which sessions carry each."""

    def __init__(self, sessions: Iterable[SessionRecord]):
        self.sessions_with: dict[str, set[int]] = defaultdict(set)
        for session in sessions:
            for term in label_terms(session):
                self.sessions_with[term].add(session.id)

    def find(self, text: str) -> Scope | None:
        """The first of ``candidates``."""
        return next(self.candidates(text), None)

    def candidates(self, text: str) -> Iterator[Scope]:
        """Runs of label words that name some sessions: first those the question opens with
        a place word ("at", "in", "the … summit"), then those standing alone as a name
        ("what did GitHub Universe say…"); not yet checked against the notes' text (see
        rare_enough), so the caller takes the first that passes."""
        words = split_words(text)
        for n, word in enumerate(words):
            if word not in OPENERS and word != "the":
                continue
            start = n + 1
            if word != "the" and start < len(words) and words[start] == "the":
                start += 1
            found = self._run(words, start)
            if found is None:
                continue
            run, end, following = found
            if word == "the" and not (set(run) & GENERIC or following in GENERIC):
                continue  # "the kubecon" alone is not a place; "the 2012 summit" is
            scope = self._scope(words, n, start, end, run, text,
                                proper=word in PROPER_OPENERS)
            if scope is not None:
                yield scope
        n = 0
        while n < len(words):  # no place word: a name on its own
            found = self._run(words, n)
            if found is None:
                n += 1
                continue
            run, end, _ = found
            scope = self._scope(words, n, n, end, run, text, proper=False)
            if scope is not None:
                yield replace(scope, bare=True)
            n = end

    def _run(self, words: list[str], start: int) -> tuple[list[str], int, str | None] | None:
        """The label words from ``start`` on (their terms, where they end, and the term of
        the word after them), if some are specific and the run does not go on into a topic
        ("in the source code")."""
        run: list[str] = []
        end = start
        while end < len(words):
            term = term_for(words[end])
            if term is None or not (term in self.sessions_with or term in GENERIC):
                break
            run.append(term)
            end += 1
        if not [t for t in run if t not in GENERIC]:
            return None
        following = term_for(words[end]) if end < len(words) else None
        if end < len(words) and following is not None and following not in _ENDERS:
            return None
        return run, end, following

    def _scope(self, words: list[str], opener: int, start: int, end: int, run: list[str],
               text: str, proper: bool) -> Scope | None:
        """The sessions whose labels hold every specific word of the run, if any do."""
        specific = [t for t in run if t not in GENERIC]
        sessions = set.intersection(*(self.sessions_with[t] for t in specific))
        if not sessions:
            return None
        capitalized = frozenset(
            term for raw, term in zip(words[start:end], run, strict=True)
            if proper and term not in GENERIC and _capitalized(raw, text))
        return Scope(frozenset(specific), frozenset(sessions),
                     _as_written(text, words[opener:end]), capitalized)

    @staticmethod
    def rare_enough(scope: Scope, doc_freqs: Mapping[str, int], passages: int) -> bool:
        """Whether one of the scope's words is a year or rare in the notes' own text."""
        limit = max(MAX_TEXT_SHARE * passages, 1.0)
        if scope.bare:
            return any(not _YEAR(t) and doc_freqs.get(t, 0) <= limit for t in scope.terms)
        return any(_YEAR(t) or t in scope.proper or doc_freqs.get(t, 0) <= limit
                   for t in scope.terms)


def _as_written(text: str, words: list[str]) -> str:
    """The question's own spelling of these (casefolded) words: "at KubeCon"."""
    pattern = r"\W+".join(re.escape(w) for w in words)
    found = re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE)
    return found.group() if found else " ".join(words)


def _capitalized(word: str, text: str) -> bool:
    """Whether the question writes this (casefolded) word with a capital somewhere."""
    return any(found[0].isupper() for found in
               re.findall(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE))
