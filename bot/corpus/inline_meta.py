"""Speaker and topic lines written inside the notes.

"**Lead:** Tim Hockin", "#### Presenter:" with the name on the next line, "* Who" with the
names as nested bullets, "**Topic Facilitator(s)**: Apart Sinha, Google & Ihop Dvoretskyi",
"Moderated by Dan Kohn, CNCF", "By Jane Roe" right under the title. Note takers and
authors of the notes are not speakers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.corpus.passages import BULLET
from bot.corpus.people import people, person_name, strip_markup

META_LINE = re.compile(
    r"^[\s#>*_+\-]*(?P<key>(?:session\s+|topic\s+)?(?:presenters?|presentors?|speakers?|"
    r"co-?leads?|leads?|moderators?|moderated\s+by|panel(?:ists?)?|facilitators?|"
    r"facilitator\(s\)|hosts?|presented\s+by|who|people|about\s+(?:me|the\s+speakers?)|topic|"
    r"title|by))"
    r"(?![A-Za-z0-9(])\s*[*_]*\s*(?P<sep>[:\-–]?)\s*[*_]*\s*(?P<value>.*)$",
    re.IGNORECASE,
)
# A labelled line longer than this many words goes on past the names ("Presenters: Ann Lee,
# Acme. Abstract: …"): its names are read, and the line stays in the notes (hand-set).
LABEL_WORDS = 16
# Keys that name people only when followed by a colon or by nested names ("Who" alone).
_NEEDS_COLON = ("who", "people", "panel", "title", "topic", "session title", "session topic",
                "about me", "about the speaker", "about the speakers")


@dataclass(slots=True)
class InlineMeta:
    speakers: list[str] = field(default_factory=list)
    topic: str | None = None


# Names at most in a list under a "Presenters:" label (hand-set: a panel's size).
_LISTED_NAMES = 12


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _children(lines: list[str], i: int) -> list[int]:
    """Indexes of the lines nested under line ``i`` (more indented, blank lines passed)."""
    base = _indent(lines[i])
    found: list[int] = []
    j = i + 1
    while j < len(lines):
        if not lines[j].strip():
            j += 1
            continue
        if _indent(lines[j]) <= base:
            break
        found.append(j)
        j += 1
    return found


_NOT_INITIALS = {"tbd", "tba", "tbc", "na", "none", "all", "faq", "qa"}


def _names_of(value: str) -> list[str]:
    plain = strip_markup(value)  # a link's address has a colon too
    if ":" in plain:  # "Bing: Jordan Edwards", a team then the name
        names = people(plain.split(":", 1)[1], allow_single=True)
        if names:
            return names
    names = people(value, allow_single=True)
    if not names and re.fullmatch(r"[A-Z]{2,4}", plain.strip()) and \
            plain.strip().lower() not in _NOT_INITIALS:
        return [plain.strip()]  # "Speaker: DHH": initials, where a label says it is a person
    return names


_PROFILE_LINK = re.compile(r"^\[(?P<who>[^\]]{3,60})\]\([^)\s]+\)$")


def _linked_names(value: str) -> list[str]:
    """A byline's name linked to the person's page, in any case ("[hannes stiebitzhofer]
    (https://github.com/…)"): the link says it is a person; two words at least."""
    match = _PROFILE_LINK.match(value.strip(" *_"))
    if match is None:
        return []
    name = person_name(match.group("who"), lowercase=True)
    return [name] if name and len(name.split()) >= 2 else []


_WHOLE_LINK = re.compile(r"^\s*\[(?P<text>[^\[\]]{3,200})\]\([^)\s]*\)\s*$")


def read_inline_meta(lines: list[str], max_lines: int = 25) -> tuple[InlineMeta, set[int]]:
    """Speaker and topic lines among the first lines of a session.

    Returns what was found and the indexes of the lines that were only metadata (to leave
    out of the quoted text).
    """
    meta = InlineMeta()
    used: set[int] = set()
    seen = 0
    for i, line in enumerate(lines):
        if seen >= max_lines:
            break
        if not line.strip():
            continue
        seen += 1
        # "[Speaker: Will Doyle, Acme](https://…)": a labelled line linked as a whole
        whole_link = _WHOLE_LINK.match(line)
        match = META_LINE.match(whole_link.group("text") if whole_link else line)
        if not match or i in used:
            continue
        key = " ".join(match.group("key").lower().split())
        value = match.group("value").strip()
        if key == "by" and (seen > 1 or match.group("sep")):
            continue  # a byline ("By Jane Roe") names the speaker only right under the title
        if key in _NEEDS_COLON and not match.group("sep") and value:
            continue
        consumed = {i}
        names: list[str] = []
        if key.endswith(("topic", "title")):
            if not value:  # "#### Topic:" then the topic on a line of its own
                nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
                if nxt is not None and len(lines[nxt].split()) <= 16:
                    value = lines[nxt].strip()
                    consumed.add(nxt)
            if value and not meta.topic:
                meta.topic = re.sub(r"[*_`]+", "", value).strip(" :-–\"“”") or None
                used |= consumed
            continue
        if value and not match.group("sep"):  # "Speaker f(change) pants": names only
            names = people(value, strict=True)
            if not names and key == "by":  # "by [hannes stiebitzhofer](profile)"
                names = _linked_names(value)
        elif value:
            names = _names_of(value)
            # A value that wraps onto the next, more indented line ("Google &\n  Mirantis").
            if value.rstrip().endswith((",", "&", "and")) and i + 1 < len(lines):
                names = _names_of(value + " " + lines[i + 1].strip())
                consumed.add(i + 1)
        else:
            kids = _children(lines, i)
            # "#### Presenter:" or "Speaker" alone, then the name below (a bare "- Host"
            # among a list of words labels nothing)
            if not kids and (match.group("sep") or not BULLET.match(line)):
                nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
                kids = [nxt] if nxt is not None and len(lines[nxt].split()) <= 8 else []
                # "Presenters:" over a list of them at its own level, up to a blank line
                while kids and BULLET.match(lines[kids[-1]]) and kids[-1] + 1 < len(lines) \
                        and BULLET.match(lines[kids[-1] + 1]) and len(kids) < _LISTED_NAMES:
                    kids.append(kids[-1] + 1)
            for j in kids:
                text = BULLET.sub("", lines[j]).strip()
                if _indent(lines[j]) > _indent(lines[kids[0]]):
                    continue  # a role nested under a name
                found = _names_of(text)
                if found:
                    names.extend(n for n in found if n not in names)
                    consumed.add(j)
        if names:
            meta.speakers.extend(n for n in names if n not in meta.speakers)
            used |= consumed
    return meta, used


def byline_speakers(line: str) -> list[str]:
    """The names of a byline ("by [Jane Roe](https://…)", "By Bo Chen and Cy Dee"); [] for
    any other line ("By default, …")."""
    if not line.lstrip(" *_").lower().startswith("by "):
        return []
    meta, used = read_inline_meta([line])
    return meta.speakers if used else []
