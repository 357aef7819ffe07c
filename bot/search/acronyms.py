"""Acronyms the notes define themselves: "RBD, the RADOS Block Device", "Open Compute
Project (OCP)". Found at index time so that a question may use either form."""

from __future__ import annotations

import re

_ACRONYM_AFTER = re.compile(
    r"\b([A-Z][A-Za-z]{1,7}),? (?:the |a |an )?((?:[A-Z][\w-]*\s){1,5}[A-Z][\w-]*)")
# The acronym in brackets is found first; the words before it are then read backwards,
# so that no regex has to try every word of the text as the start of an expansion.
_PAREN_ACRONYM = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
_WORDS_BEFORE = re.compile(r"(?<![\w-])((?:[A-Za-z][\w-]*\s){0,6}[A-Za-z][\w-]*)\s*$")


def _initials_match(acronym: str, expansion: str) -> bool:
    letters = [w[0].lower() for w in re.split(r"[\s-]+", expansion) if w and
               w.lower() not in {"of", "as", "a", "the", "and", "for"}]
    caps = [c.lower() for c in acronym if c.isupper()]
    initials = "".join(letters)
    return len(caps) >= 2 and (initials == "".join(caps) or (initials.startswith("".join(caps))
                               and len(initials) == len(caps)))


def acronym_pairs(text: str) -> list[tuple[str, str]]:
    """("RBD", "Rados Block Device") pairs a text defines."""
    pairs = []
    for acronym, expansion in _ACRONYM_AFTER.findall(text):
        words = expansion.split()
        for n in range(len(words), 1, -1):
            candidate = " ".join(words[:n])
            if _initials_match(acronym, candidate):
                pairs.append((acronym, candidate))
                break
    for paren in _PAREN_ACRONYM.finditer(text):
        acronym = paren.group(1)
        before = _WORDS_BEFORE.search(text, max(0, paren.start() - 120), paren.start())
        if before is None:
            continue
        words = before.group(1).split()
        for n in range(2, len(words) + 1):
            candidate = " ".join(words[-n:])
            if _initials_match(acronym, candidate):
                pairs.append((acronym, candidate))
                break
    return pairs


