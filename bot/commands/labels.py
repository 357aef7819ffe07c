"""Names that tell sessions apart where titles repeat.

Two talks may share a title ("Day 1 Keynote" at DockerCon and at KubeCon; a proposal filed
in two tracks). Titles stay as the notes write them; where a title repeats, the label adds
what differs — summit, date, speakers, track, else the folder — as a person would:
"Day 1 keynote (DockerCon-2017)". Labels are what autocomplete offers and what
``SummitService.find`` accepts back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from bot.search.index import SessionRecord

Describe = Callable[[SessionRecord], str]


def _speakers(session: SessionRecord) -> str:
    names = list(session.speakers[:2])
    return ", ".join(names) + (" …" if len(session.speakers) > 2 else "")


def _folders(group: Sequence[SessionRecord]) -> list[str]:
    """The shortest tail of each file's folder path that differs across the group."""
    parents = [PurePosixPath(s.source).parent.parts for s in group]
    longest = max((len(p) for p in parents), default=0)
    for depth in range(1, longest + 1):
        tails = ["/".join(p[-depth:]) for p in parents]
        if all(tails) and len(set(tails)) == len(group):
            return tails
    return []


_DESCRIBERS: tuple[Describe, ...] = (
    lambda s: s.summit or "",
    lambda s: s.date or "",
    _speakers,
    lambda s: s.track or "",
)


def distinct_labels(sessions: Sequence[SessionRecord], limit: int = 100) -> dict[int, str]:
    """session id -> its label: the title, plus what tells it apart where titles repeat.
    Every label is at most ``limit`` characters, the distinguishing part kept whole."""
    groups: dict[str, list[SessionRecord]] = defaultdict(list)
    for session in sessions:
        groups[session.title.casefold()].append(session)
    labels: dict[int, str] = {}
    for group in groups.values():
        if len(group) == 1:
            labels[group[0].id] = clip(group[0].title, limit)
            continue
        marks: list[str] = []
        for describe in _DESCRIBERS:
            found = [describe(s) for s in group]
            if all(found) and len(set(found)) == len(group):
                marks = found
                break
        else:
            marks = _folders(group)
        if not marks:  # the same title twice in one file: number them
            marks = [f"{n} of {len(group)}" for n in range(1, len(group) + 1)]
        for session, mark in zip(group, marks, strict=True):
            mark = clip(mark, limit // 2)
            labels[session.id] = f"{clip(session.title, limit - len(mark) - 3)} ({mark})"
    return labels


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
