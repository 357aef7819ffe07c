"""Cutting a session's text into passages that fit a chat quote.

Passages are about MAX_CHARS long at most, end at sentence or bullet boundaries, and keep a
bullet's parent line with its children so that an outline still reads as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.corpus.models import Passage

MAX_CHARS = 600
# A passage already this long is not grown further: short passages rank more precisely.
FILL_CHARS = 320

BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+")  # a list item, and its indent
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_CLAUSE_END = re.compile(r"(?<=[;:,—])\s+")


def _blocks(body: str) -> Iterator[list[str]]:
    """Blank-line separated blocks, with fenced code kept whole."""
    block: list[str] = []
    in_fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not line.strip() and not in_fence:
            if block:
                yield block
                block = []
            continue
        block.append(line)
    if block:
        yield block


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _list_items(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """Split a block into lead-in lines and top-level bullet items (with their children)."""
    lead: list[str] = []
    items: list[list[str]] = []
    top_indent: int | None = None
    for line in lines:
        match = BULLET.match(line)
        if match and (top_indent is None or _indent(line) <= top_indent):
            top_indent = _indent(line)
            items.append([line])
        elif items:
            items[-1].append(line)
        else:
            lead.append(line)
    return lead, items


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; a sentence over MAX_CHARS is cut at clauses, then words."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        if len(sentence) <= MAX_CHARS:
            out.append(sentence)
            continue
        out.extend(_pack(_CLAUSE_END.split(sentence), " ", hard=True))
    return [s for s in out if s.strip()]


def _cut_words(text: str) -> list[str]:
    """Last resort for an unpunctuated run longer than a passage: cut between words."""
    pieces: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > MAX_CHARS - 1:
            pieces.append(current + "…")
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        pieces.append(current)
    return pieces


def _pack(units: Iterable[str], joiner: str, hard: bool = False) -> list[str]:
    """Greedily join units up to MAX_CHARS (and no further than FILL_CHARS unless hard)."""
    out: list[str] = []
    current = ""
    limit_fill = MAX_CHARS if hard else FILL_CHARS
    for unit in units:
        unit = unit.strip("\n")
        if not unit.strip():
            continue
        if len(unit) > MAX_CHARS:
            if current:
                out.append(current)
                current = ""
            out.extend(_cut_words(unit))
            continue
        current = _grow(out, current, unit, joiner, limit_fill)
    if current:
        out.append(current)
    return out


def _grow(out: list[str], current: str, unit: str, joiner: str, fill: int) -> str:
    """Add ``unit`` to the passage being built, or close it and start anew when the unit
    would not fit or the passage is already long enough."""
    if current and (len(current) + len(joiner) + len(unit) > MAX_CHARS or len(current) >= fill):
        out.append(current)
        return unit
    return f"{current}{joiner}{unit}" if current else unit


def _item_chunks(item: list[str]) -> list[str]:
    """A bullet item with its children; an item too long is cut under a repeated parent."""
    text = "\n".join(item)
    if len(text) <= MAX_CHARS:
        return [text]
    parent, children = item[0], item[1:]
    if len(parent) > MAX_CHARS // 2:
        head = split_sentences(parent)
        return head + _pack(children, "\n", hard=True) if children else head
    _, sub_items = _list_items(children)
    units: list[str] = []
    for sub in sub_items or [[c] for c in children]:
        units.extend(_item_chunks(sub) if len("\n".join(sub)) > MAX_CHARS - len(parent) - 1
                     else ["\n".join(sub)])
    chunks: list[str] = []
    room = MAX_CHARS - len(parent) - 1
    current: list[str] = []
    for unit in units:
        if current and len("\n".join([*current, unit])) > room:
            chunks.append("\n".join([parent, *current]))
            current = []
        if len(unit) > room:
            chunks.append(unit)
        else:
            current.append(unit)
    if current:
        chunks.append("\n".join([parent, *current]))
    return chunks


def _block_units(block: list[str]) -> tuple[list[str], str]:
    """Units of one block and the joiner that fits them (line break for lists)."""
    if block[0].lstrip().startswith(("```", "~~~")):
        code = "\n".join(block)
        return ([code] if len(code) <= MAX_CHARS else _pack(block, "\n", hard=True)), "\n"
    lead, items = _list_items(block)
    if items:
        units: list[str] = []
        lead_text = " ".join(line.strip() for line in lead)
        for item in items:
            units.extend(_item_chunks(item))
        if lead_text and len(lead_text) + 1 + len(units[0]) <= MAX_CHARS:
            units[0] = f"{lead_text}\n{units[0]}"
        elif lead_text:
            units = [*split_sentences(lead_text), *units]
        return units, "\n"
    paragraph = " ".join(line.strip() for line in block)
    if len(paragraph) <= MAX_CHARS:
        return [paragraph], "\n\n"
    return _pack(split_sentences(paragraph), " ", hard=True), "\n\n"


def make_passages(sections: Iterable[tuple[str | None, str]]) -> list[Passage]:
    """Passages of a session from its (sub-heading, body) sections, in reading order."""
    passages: list[Passage] = []
    for heading, body in sections:
        texts: list[str] = []
        current = ""
        for block in _blocks(body):
            units, joiner = _block_units(block)
            for unit in units:
                current = _grow(texts, current, unit, joiner, FILL_CHARS)
        if current:
            texts.append(current)
        for text in texts:
            if _has_words(text):
                passages.append(Passage(text=text.strip(), heading=heading,
                                        position=len(passages)))
    return passages


_THREE_ALNUM = re.compile(r"(?:[^\W_][\W_]*){3}")


def _has_words(text: str) -> bool:
    """At least three letters or digits (a regex: counting them one by one was slow)."""
    return _THREE_ALNUM.search(text) is not None
