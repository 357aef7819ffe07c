"""Turning text into index terms: Unicode-aware lowercasing, stopwords, Snowball stems.

Technical tokens survive: ``S3`` and ``RBD`` are kept as words (digits and acronyms are not
stemmed), and a call such as ``fork()`` yields ``fork()`` as well as the stem ``fork``.
The same function tokenizes notes and questions, so they always meet on the same terms.
"""

from __future__ import annotations

import re

import Stemmer

_WORD = re.compile(r"\w+(?:['’]\w+)*(?:\+\+|#|\(\))?")

STOPWORDS: frozenset[str] = frozenset("""
a about above after again against all am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't
doing don't down during each few for from further had hadn't has hasn't have haven't having he
he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if
in into is isn't it it's its itself let's me more most mustn't my myself no nor not of off on
once only or other ought our ours ourselves out over own same shan't she she'd she'll she's
should shouldn't so some such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've this those through to too under until up
very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
which while who who's whom why why's will with won't would wouldn't you you'd you'll you're
you've your yours yourself yourselves also just really anything something anyone someone
get got us tell said say says whether yes yeah hey hi hello please thanks thank ok okay
""".split())

_stemmer = Stemmer.Stemmer("english")
_HAS_DIGIT = re.compile(r"\d").search
# An acronym's plural ("VMs", "SSDs"): Snowball keeps the "s" of a word with no vowel, so
# "vms" would never meet "vm". Such a word loses its final "s" (also "dns" -> "dn", which is
# harmless: notes and questions go through the same function).
_VOWELLESS_PLURAL = re.compile(r"[b-df-hj-np-tv-xz]{2,}s").fullmatch


def term_for(word: str) -> str | None:
    """The index term of one lowercased word, or None for a stopword."""
    if word in STOPWORDS:
        return None
    if not word.isalpha() and _HAS_DIGIT(word):
        return word
    base = word.replace("’", "'")
    if base.endswith("'s"):
        base = base[:-2]
    if base in STOPWORDS:
        return None
    if _VOWELLESS_PLURAL(base):
        return base[:-1]
    return _stemmer.stemWord(base)


def word_terms(word: str) -> tuple[str, ...]:
    """Index terms of one casefolded word as matched by the word pattern."""
    terms: list[str] = []
    if word.endswith("()"):
        terms.append(word)
        word = word[:-2]
    if len(word) == 1 and not word.isdigit() and word not in "cr":
        return tuple(terms)
    term = term_for(word)
    if term:
        terms.append(term)
    return tuple(terms)


class _WordCache(dict[str, tuple[str, ...]]):
    """word -> its terms, filled on first sight: most words recur, stemming is costly."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        if len(self) > 500_000:
            self.clear()
        terms = word_terms(word)
        self[word] = terms
        return terms


_cache = _WordCache()


_ASCII_SEPARATORS = bytes(
    c if (chr(c).isalnum() or chr(c) in "_'") else 32 for c in range(256)
)


def split_words(text: str) -> list[str]:
    """The casefolded words of a text, as the tokenizer sees them.

    The word pattern is the definition; plain ASCII text (most notes) takes a fast path
    that gives the same words (a test checks both over the real corpora).
    """
    folded = text.casefold()
    if not folded.isascii() or "()" in folded or "++" in folded or "#" in folded:
        return _WORD.findall(folded)
    spaced = folded.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii")
    words = spaced.split()
    if "'" in spaced and ("''" in spaced or " '" in spaced or "' " in spaced
                          or "\n'" in spaced or "'\n" in spaced
                          or spaced.startswith("'") or spaced.endswith("'")):
        words = [w for w in (w.strip("'") for w in words) if w and "''" not in w]
    return words


def tokenize(text: str) -> list[str]:
    """Index terms of a text, in order, with repeats (BM25 counts them)."""
    terms: list[str] = []
    for found in map(_cache.__getitem__, split_words(text)):
        terms.extend(found)
    return terms


def words_with_terms(text: str) -> list[tuple[int, int, str]]:
    """(start, end, term) for each word of a text, to mark the words a question matched."""
    out: list[tuple[int, int, str]] = []
    folded = text.casefold()
    if len(folded) != len(text):  # rare: casefold changed lengths; fall back to lower()
        folded = text.lower()
        if len(folded) != len(text):
            return out
    for match in _WORD.finditer(folded):
        word = match.group()
        start, end = match.span()
        if word.endswith("()"):
            out.append((start, end, word))
            word = word[:-2]
        term = term_for(word)
        if term:
            out.append((start, start + len(word), term))
    return out
