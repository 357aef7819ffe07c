"""Session titles as a schedule prints them, and the speakers a title line carries.

Title lines in notes carry more than the title: '"Loop Better" by [Trey Hunner](…)',
"Kubernetes Deconstructed - Carson Anderson, DOMO @carsonoid", "Session Title: …",
"… moderated by Owen Rogers, 451 Research". :func:`split_title` returns the title and the
names, and leaves alone a "by" that is part of the title ("OpenShift by Red Hat",
"Preserving Anonymity by Subverting Stylometry").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.corpus.people import people, person_name, strip_markup

_LABEL = re.compile(
    r"^(?:session\s+title|talk\s+title|title|session\s+topic|topic|unconference(?:\s+session)?)"
    r"\s*(?::|-|–|\s{2,}|\s(?=[A-Z\"“]))\s*",
    re.IGNORECASE,
)
_QUOTED_BY = re.compile(r"^[\"“](?P<title>.+?)\s*[\"”]\s*,?\s+by\s+(?P<who>.+)$", re.IGNORECASE)
_BY_LINK = re.compile(r"^(?P<title>.+?)\s+by\s+(?P<who>\[[^\]]+\]\([^)]*\).*)$", re.IGNORECASE)
_BY = re.compile(r"\s+(?:presented\s+|given\s+|led\s+|lead\s+)?by\s+(?=\S)", re.IGNORECASE)
_MODERATED = re.compile(r"\s*[,(-]?\s*\b(?:moderated|hosted|facilitated)\s+by\s+(?P<who>.+?)\)?$",
                        re.IGNORECASE)
# "Keynote with Paul Irish", "Fireside chat with Jane Roe": a kind of session and its guest
# ("Fun with Flags" is a title: the guest must be a full name with a known first name).
_WITH_GUEST = re.compile(r"^(?P<title>(?:opening |closing )?(?:keynote|fireside chat|conversation|"
                         r"chat|interview|q&a|ama|ask me anything|panel)) with (?P<who>.+)$",
                         re.IGNORECASE)
_DASH_SPEAKER = re.compile(r"^(?P<title>.+?)\s+[-–—]\s+(?P<who>[^-–—]+)$")
# "Title | Jane Roe (9am)", "Title - Ted Dunning - MapR": a title, a speaker named in full
# (a known first name), and perhaps a company, set apart by dashes or bars.
_PARTS = re.compile(r"\s+[-–—|]\s+")
TIME_OF_DAY = re.compile(r"\s*\(\s*\d{1,2}(?::\d{2})?\s*(?:am|pm)\s*\)\s*$", re.IGNORECASE)
# The note-taker's own lists, beside the notes of talks: never a session's speakers, and
# a file of nothing else is not indexed.
NOTE_TAKERS_LIST = re.compile(
    r"^(?:(?:notable |favou?rite |best )?quotes|(?:tech|things|stuff|tools) to (?:check|try|"
    r"read|look at|google|look up)(?: out)?(?:\s*/\s*read)?|to ?do|todo list|to google|"
    r"reading list|bookmarks|links|table of contents|contents|index)$",
    re.IGNORECASE,
)
_QUOTES = "\"“”'‘’"
# Lines longer than this are not analysed (and are no title): bounds the work on hostile
# notes, where a credit could otherwise be looked for after every "by" of a huge line.
MAX_TITLE_LINE = 300


def _slug_words(stem: str | None) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", (stem or "").lower()) if len(w) > 1}


def _names_in_stem(names: list[str], stem: str | None) -> bool:
    words = _slug_words(stem)
    return bool(names) and all(
        all(part.lower() in words for part in re.split(r"[^\w]+", name) if len(part) > 1)
        for name in names)


def unquote(title: str) -> str:
    """Drop quotes around a whole title, and a stray closing quote with no opening one."""
    title = title.strip()
    if len(title) > 2 and title[0] in "\"“" and title[-1] in "\"”" and \
            sum(title.count(q) for q in "\"“”") == 2:
        return title[1:-1].strip()
    if title and title[-1] in "\"”" and sum(title.count(q) for q in "\"“”") == 1:
        return title[:-1].rstrip()
    if title and title[0] in "\"“" and sum(title.count(q) for q in "\"“”") == 1:
        return title[1:].lstrip()
    return title


def tidy_title(text: str) -> str:
    """Markup, labels, surrounding quotes and a trailing colon off a title."""
    title = strip_markup(text[:MAX_TITLE_LINE])
    title = _LABEL.sub("", title) if _LABEL.match(title) and len(title) > 12 else title
    title = unquote(title)
    title = TIME_OF_DAY.sub("", title)  # "Keynote (9:10am)": the slot, not the title
    return title.strip().rstrip(":").strip()


def split_title(
    line: str,
    stem: str | None = None,
    known_speakers: Iterable[str] = (),
    *,
    names_follow: bool = False,
) -> tuple[str, list[str]]:
    """(title, speakers) of a title line. ``stem`` is the file name without extension:
    a trailing "by Jane Roe" is a credit when the file is named after Jane Roe too.
    ``known_speakers`` (from elsewhere in the notes) make "… by Jane Roe" a credit.
    ``names_follow``: the file's talk headings name their speakers after a dash, so a name
    there need not start with a known first name ("… - Rizèl Scarlett")."""
    raw = " ".join(line.split())
    if len(raw) > MAX_TITLE_LINE:  # no title is this long: don't look for credits in it
        return tidy_title(raw[:MAX_TITLE_LINE]), []
    known = {k.casefold() for k in known_speakers}
    match = _QUOTED_BY.match(strip_markup(raw)) or _QUOTED_BY.match(raw)
    if match:
        who = people(match.group("who"), allow_single=True)
        if who:
            return tidy_title(match.group("title")), who
    match = _BY_LINK.match(raw)
    if match:
        who = people(match.group("who"), allow_single=True)
        if who:
            return tidy_title(match.group("title")), who
    text = strip_markup(raw)
    match = _MODERATED.search(text)
    if match and match.start() > 0:
        who = people(match.group("who"))
        if who:
            return tidy_title(text[: match.start()]), who
    # "Title by Jane Roe[, Acme]": a credit only when the names are known to be speakers.
    for by in reversed(list(_BY.finditer(text))):
        who = people(text[by.end():])
        if who and (_names_in_stem(who, stem) or ({w.casefold() for w in who} <= known
                    and known)):
            return tidy_title(text[: by.start()]), who
    # "Title - Jane Roe, Acme @jroe"
    match = _DASH_SPEAKER.match(text)
    if match and ("@" in match.group("who") or _names_in_stem(people(match.group("who")), stem)):
        who = people(match.group("who"), strict="@" not in match.group("who"))
        if who:
            return tidy_title(match.group("title")), who
    match = _WITH_GUEST.match(TIME_OF_DAY.sub("", text))
    if match:
        who = people(match.group("who"), strict=True)
        if who:
            kind = tidy_title(match.group("title"))
            return kind[:1].upper() + kind[1:], who
    parts = _PARTS.split(TIME_OF_DAY.sub("", text))
    if len(parts) in (2, 3) and parts[0].strip():
        who = people(parts[1], strict=not names_follow)
        if who and len(parts[1].split()) <= 4 * len(who):
            return tidy_title(parts[0]), who
    return tidy_title(text), []


def names_line(line: str, *, strict: bool) -> list[str]:
    """Speakers of a line that holds only names ("Jane Roe, Acme & John Doe"), else []."""
    if len(line) > 400:
        return []
    text = strip_markup(line)
    if not text or len(text) > 200 or re.search(r"[.!?]\s+\w", text) or text[0] in _QUOTES:
        return []
    names = people(text, strict=strict)
    if not names:
        return []
    # Every comma or "and" separated part must be a name, a role or a company: a sentence
    # that happens to start with a name is not a names line.
    first = re.split(r"\s*(?:,|;|\s-\s|\s–\s|\s@\s|\(|\band\b|&|\+)\s*", text)[0]
    if person_name(first, strict=strict) is None:
        return []
    return names
