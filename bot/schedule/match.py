"""Notes meet the schedule: a notes session that is the same talk as a scheduled one
becomes part of it, so one session has the schedule's title, time, room and speakers, and
its passages are the notes plus the abstract. Unmatched notes stay sessions of their own.

Same talk = titles alike (rapidfuzz) and, where both name speakers, a speaker in common;
the threshold is fitted on labelled pairs by ``python -m tests.eval.fit_match``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz import fuzz, process, utils

from bot.corpus.models import Passage, Session

# A pair scores at least this to be one talk (fitted by tests/eval/fit_match.py on
# tests/schedule/match_pairs.yaml: all 40 pairs right, with SORT_SHARE 0.5).
MATCH_THRESHOLD = 0.86
# Speakers in common (where both sides name some) add this; none in common takes off more.
SPEAKERS_AGREE = 0.10
SPEAKERS_DISAGREE = -0.30
# How much of the title score is the in-any-order comparison (the rest forgives words one
# side adds); fitted with the threshold by tests/eval/fit_match.py.
SORT_SHARE = 0.5
_PUNCT = re.compile(r"[^\w\s]+")


def _plain(title: str) -> str:
    return " ".join(_PUNCT.sub(" ", title.casefold().replace("&", " and ")).split())


def _same_person(a: str, b: str) -> bool:
    """"Josh" and "Josh Durgin", "Ed Holloway-George" and "ed holloway george"."""
    left, right = set(_plain(a).split()), set(_plain(b).split())
    if not left or not right:
        return False
    if left <= right or right <= left:
        return True
    return fuzz.token_sort_ratio(a, b, processor=utils.default_process) >= 88


def speakers_agree(ours: Sequence[str], theirs: Sequence[str]) -> bool | None:
    """True/False when both name speakers, None when either names none."""
    if not ours or not theirs:
        return None
    return any(_same_person(a, b) for a in ours for b in theirs)


_SUBTITLE = re.compile(r"\s*(?::|\s[-–—]\s|\?\s)\s*")


def _main_title(title: str) -> str:
    """The title before its subtitle: "Loop Better" of "Loop Better: a deeper look…"."""
    return _plain(_SUBTITLE.split(title, maxsplit=1)[0])


def title_similarity(a: str, b: str) -> float:
    """0..1: how alike two titles read. One that is the other's main title (before a
    colon or dash) is the same; otherwise word order is forgiven, and words the other
    lacks count against it, less so than in a plain comparison."""
    x, y = _plain(a), _plain(b)
    if not x or not y:
        return 0.0
    if x == _main_title(b) or y == _main_title(a):
        return 1.0
    return (SORT_SHARE * fuzz.token_sort_ratio(x, y)
            + (1 - SORT_SHARE) * fuzz.token_set_ratio(x, y)) / 100


def match_score(notes_title: str, notes_speakers: Sequence[str], schedule_title: str,
                schedule_speakers: Sequence[str]) -> float:
    score = title_similarity(notes_title, schedule_title)
    agree = speakers_agree(notes_speakers, schedule_speakers)
    if agree is True:
        score += SPEAKERS_AGREE
    elif agree is False:
        score += SPEAKERS_DISAGREE
    return score


def merge_notes_into_schedule(sessions: list[Session],
                              threshold: float = MATCH_THRESHOLD) -> tuple[list[Session], int]:
    """The sessions with each matched notes session folded into its scheduled talk, and how
    many notes sessions matched."""
    scheduled = [n for n, s in enumerate(sessions) if s.slot is not None and s.slot.start
                 and not s.slot.service]
    if not scheduled:
        return sessions, 0
    titles = [_plain(sessions[n].title) for n in scheduled]
    absorbed: dict[int, list[Session]] = {}
    matched = 0
    for notes in sessions:
        if notes.slot is not None:
            continue
        # a first cut by title alone, in C; then speakers decide among the close ones
        close = process.extract(_plain(notes.title), titles, scorer=fuzz.token_set_ratio,
                                limit=5, score_cutoff=(threshold - SPEAKERS_AGREE) * 100)
        best: tuple[float, int] | None = None
        for _, _, position in close:
            target = scheduled[position]
            other = sessions[target]
            score = match_score(notes.title, notes.speakers, other.title, other.speakers)
            same_summit = not notes.summit or not other.summit or \
                title_similarity(notes.summit, other.summit) >= 0.6
            if score >= threshold and same_summit and (best is None or score > best[0]):
                best = (score, target)
        if best is not None:
            absorbed.setdefault(best[1], []).append(notes)
            matched += 1
    if not matched:
        return sessions, 0
    gone = {id(s) for group in absorbed.values() for s in group}
    merged: list[Session] = []
    for n, session in enumerate(sessions):
        if id(session) in gone:
            continue
        if n in absorbed:
            session = _fold(session, absorbed[n])
        merged.append(session)
    return merged, matched


def _fold(talk: Session, notes: list[Session]) -> Session:
    """The scheduled talk with the notes' passages first (they are what people ask about),
    then its abstract; the notes' other names kept as aliases, their file as the source."""
    passages: list[Passage] = []
    for part in [*notes, talk]:
        for passage in part.passages:
            passages.append(Passage(passage.text, passage.heading, len(passages)))
    aliases = list(dict.fromkeys(
        [*talk.aliases, *(a for s in notes for a in (s.title, *s.aliases)
                          if a != talk.title)]))
    tags = list(dict.fromkeys([*talk.tags, *(t for s in notes for t in s.tags)]))
    return replace(talk, passages=passages, aliases=aliases, tags=tags,
                   source=notes[0].source, url=talk.url or notes[0].url)
