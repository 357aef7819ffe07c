"""Speaker and topic lines written inside the notes ("**Lead:** thockin", "Presenter: X")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_META_LINE = re.compile(
    r"^[\s#>*_\-]*(?P<key>presenters?|presentors?|speakers?|leads?|moderators?|moderated by|"
    r"panelists?|topic)\b\s*[*_]*\s*[:\-–]?\s*[*_]*\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_SPEAKER_KEYS = ("present", "speaker", "lead", "moderat", "panelist")


@dataclass(slots=True)
class InlineMeta:
    speakers: list[str] = field(default_factory=list)
    topic: str | None = None


def _clean_value(value: str) -> str:
    value = re.sub(r"[*_`]+", "", value).strip(" :-–")
    value = re.sub(r"\s*\(?@[\w-]+\)?", "", value)  # twitter handles
    value = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", value)
    return " ".join(value.split())


def _names(value: str) -> list[str]:
    parts = re.split(r",| and | & |;|/", value)
    names = []
    for part in parts:
        part = part.split(" - ")[0].strip()
        if 1 <= len(part.split()) <= 5 and any(ch.isalpha() for ch in part):
            names.append(part)
    return names


def read_inline_meta(lines: list[str], max_lines: int = 12) -> tuple[InlineMeta, set[int]]:
    """Look at the first lines of a session for speaker/topic lines.

    Returns what was found and the indexes of lines that were pure metadata (to drop from
    the quoted text).
    """
    meta = InlineMeta()
    used: set[int] = set()
    seen = 0
    i = 0
    while i < len(lines) and seen < max_lines:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        seen += 1
        match = _META_LINE.match(line)
        if match:
            key = match.group("key").lower()
            value = _clean_value(match.group("value"))
            consumed = {i}
            if not value:  # "#### Presenter:" then the name on a line of its own
                j = i + 1
                while j < len(lines) and not lines[j].strip():
                    j += 1
                if j < len(lines) and len(lines[j].split()) <= 8:
                    value = _clean_value(lines[j])
                    consumed.add(j)
            if value:
                if key == "topic":
                    meta.topic = meta.topic or value
                    used |= consumed
                elif key.startswith(_SPEAKER_KEYS):
                    names = _names(value)
                    if names:
                        meta.speakers.extend(n for n in names if n not in meta.speakers)
                        used |= consumed
        i += 1
    return meta, used
