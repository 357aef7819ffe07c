"""Text clean-up shared by every reader: invisible characters, markup noise, whitespace."""

from __future__ import annotations

import bisect
import datetime as dt
import html
import re
import unicodedata

# Regexes rather than str.translate: translate with a mapping is slow on non-ASCII text.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile("[\u00a0\u2007\u202f\u2009\u200a\u3000\t]")


def _normalise_spaces(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", text))
# A tag's attributes stop at the next "<" or ">", so a match never scans past it: linear.
_HTML_TAG = re.compile(r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>\s[^<>]*)?/?>")
_CLOSING_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
# HTML's elements: only these are markup. "List<Integer>", "wp login create <USER>" and
# "php_<name>.c" are what the notes say, and are kept.
_ELEMENT_NAMES = """
a abbr address area article aside audio b bdi bdo blockquote body br button canvas caption
center cite code col colgroup data dd del details dfn dialog div dl dt em embed fieldset
figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input
ins kbd label legend li link main map mark meta meter nav noscript object ol optgroup option
output p param picture pre progress q rp rt ruby s samp script section select small source
span strike strong style sub summary sup table tbody td template textarea tfoot th thead time
title tr track tt u ul var video wbr"""
_HTML_ELEMENTS = frozenset(_ELEMENT_NAMES.split())
# Bare tags that format text wherever they stand; any other bare opening tag whose element
# is never closed in the file is a mention ("landmarks like <nav> and <aside>"), kept.
_BARE_FORMATTING = frozenset({"br", "hr", "wbr", "p"})
# Tags inside a line of text: removed without a space ("<b>really</b>." stays "really.").
_INLINE_NAMES = """
a abbr b bdi bdo big cite code del dfn em font i ins kbd mark q s samp small span strike
strong sub sup tt u var"""
_INLINE_ELEMENTS = frozenset(_INLINE_NAMES.split())
# Code: a fence line opens or closes a block; in a line, a run of backticks opens a span
# that the next backtick closes (`[^`]*` cannot scan past it: linear).
_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"`+[^`\n]*`+")
# Comments and template tags can span lines; they are cut out by remove_between, which
# never rescans text (a regex like <!--.*?--> is quadratic on many unclosed openers).
_DELIMITED = (("<!--", "-->"), ("{%", "%}"), ("{{", "}}"), ("{#", "#}"))
_MULTI_SPACE = re.compile(r"(?<=\S) {2,}")


def decode_bytes(raw: bytes) -> tuple[str, bool]:
    """Decode as UTF-8, replacing bad bytes; the flag says whether any were replaced.
    Bytes that hold no UTF-8 character beyond ASCII at all are an older 8-bit file
    ("Caf\xe9" saved on Windows): read as Windows-1252, as browsers read such pages, rather
    than with a � for every accent (see legacy_encoded)."""
    try:
        return raw.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        if legacy_encoded(raw):
            return raw.decode("cp1252", errors="replace"), True
        return raw.decode("utf-8", errors="replace"), True


def legacy_encoded(raw: bytes) -> bool:
    """Whether bytes that are not UTF-8 hold no valid UTF-8 sequence beyond ASCII either:
    then they were written in an 8-bit encoding, not damaged UTF-8 (which keeps most of its
    multi-byte characters, and is best read as UTF-8 with the bad bytes replaced)."""
    decoded = raw.decode("utf-8", errors="replace")
    return all(ch.isascii() or ch == "\ufffd" for ch in decoded)


def remove_between(text: str, opener: str, closer: str) -> str:
    """``text`` with each ``opener … closer`` span replaced by a space, in one pass. An
    opener with no closer after it is kept as text, and so is everything after it (no
    later opener can close either)."""
    parts: list[str] = []
    position = 0
    while True:
        start = text.find(opener, position)
        if start < 0:
            break
        end = text.find(closer, start + len(opener))
        if end < 0:
            break
        parts.append(text[position:start])
        parts.append(" ")
        position = end + len(closer)
    if not parts:
        return text
    parts.append(text[position:])
    return "".join(parts)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds code, in order: fenced blocks and `spans` outside them."""
    spans: list[tuple[int, int]] = []
    offset = 0
    fence_start: int | None = None
    for line in text.split("\n"):
        if _FENCE.match(line):
            if fence_start is None:
                fence_start = offset
            else:
                spans.append((fence_start, offset + len(line)))
                fence_start = None
        elif fence_start is None and "`" in line:
            spans.extend((offset + m.start(), offset + m.end()) for m in _CODE_SPAN.finditer(line))
        offset += len(line) + 1
    if fence_start is not None:
        spans.append((fence_start, len(text)))
    return spans


def _remove_tags(text: str, *, html_text: bool = False) -> str:
    """``text`` without its HTML markup (the inner text is kept), and with everything in
    code (fenced blocks, `spans`) and every mention of a tag in prose kept as written.
    ``html_text``: the text is HTML (a schedule's abstract), where every tag is markup."""
    closed = _HTML_ELEMENTS if html_text else {n.lower() for n in _CLOSING_TAG.findall(text)}
    code = _code_spans(text) if "`" in text or "~~~" in text else []
    code_starts = [start for start, _ in code]

    def markup(match: re.Match[str]) -> str:
        name = match["name"].lower()
        if name not in _HTML_ELEMENTS:
            return match[0]
        if not (match["close"] or match["attrs"] or name in closed or name in _BARE_FORMATTING):
            return match[0]
        at = bisect.bisect_right(code_starts, match.start()) - 1
        if at >= 0 and match.start() < code[at][1]:
            return match[0]
        return "" if name in _INLINE_ELEMENTS else " "

    return _HTML_TAG.sub(markup, text)


def clean_text(text: str, *, html_text: bool = False) -> str:
    """Normalise a note's text so that it reads and tokenizes well.

    No-break spaces become spaces, soft hyphens and zero-width characters go, HTML and
    template tags are removed (their inner text is kept; code and tags named in prose
    stay), entities are unescaped, and runs of spaces collapse. Line structure is kept:
    the readers rely on it.
    ``html_text``: every HTML tag is markup (an abstract from a schedule's export).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _normalise_spaces(text)
    for opener, closer in _DELIMITED:
        if opener in text:
            text = remove_between(text, opener, closer)
    if "<" in text:
        text = _remove_tags(text, html_text=html_text)
    if "&" in text:
        text = _normalise_spaces(html.unescape(text))
    text = unicodedata.normalize("NFC", text)
    lines = [_MULTI_SPACE.sub(" ", line).rstrip() for line in text.split("\n")]
    return "\n".join(lines)


# A file name that opens with its date ("2019-05-03-pycon-keynote.md", as Jekyll and other
# blog engines name posts): the date is the note's, the rest its title.
# Or one that ends with it ("ViennaJS-2013-11-27.md", a meetup's notes).
# Or a folder named by its date alone ("AI Tinkerers/2025 06 10/"). Months and days may
# lack their zero ("2022-5-31-ga4-webinar").
_FILE_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?=[-_ ]+\w)|(?<=\w[-_])(\d{4})-(\d{1,2})-"
                        r"(\d{1,2})$|^(\d{4})[-_ .](\d{1,2})[-_ .](\d{1,2})$|"
                        # "lightning-20120320", "20190601-pycon-italia": written without dashes
                        r"(?<=\w[-_])((?:19|20)\d\d)(\d\d)(\d\d)$|^((?:19|20)\d\d)(\d\d)(\d\d)"
                        r"(?=[-_ ]+\w)")
_DATED_NAME = re.compile(r"^\d{4} \d{1,2} \d{1,2} (?=\w)|(?<=\w) \d{4} \d{1,2} \d{1,2}$|"
                         r"^(?:19|20)\d{6} (?=\w)|(?<=\w) (?:19|20)\d{6}$")


def date_in_filename(stem: str) -> str | None:
    """The date a file (or folder) name opens or ends with ("2019-05-03-…", "…-2019-05-03"),
    or is ("2025 06 10"), if a real one."""
    match = _FILE_DATE.search(stem)
    if match is None:
        return None
    return real_date(*(part for part in match.groups() if part))


def real_date(year: str, month: str, day: str) -> str | None:
    """The ISO date of written year, month and day parts, or None when there is no such
    day (a number that only looks like a date: "2031-13-40")."""
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def humanize_filename(stem: str) -> str:
    """Turn ``istio-a-modern-service-mesh`` into ``Istio a modern service mesh``."""
    # "AI Reviewers - Ann Lee": a dash set apart by spaces parts the title from a name
    parts = [re.sub(r"[-_]+", " ", part).strip() for part in re.split(r"\s+[-–—]+\s+", stem)]
    while len(parts) > 1 and re.fullmatch(r"(?:day\s*)?\d{1,3}", parts[0], re.IGNORECASE):
        del parts[0]  # "Day 1 - 01 - Level up your Swift": the slot, not the title
    words = " - ".join(parts).strip(" -")
    words = re.sub(r"^\d{3,4}[ -]\d{3,4}\s+", "", words)  # "1345-1430 SIGGOVERNANCE"
    words = _DATED_NAME.sub("", words)  # "2019-05-03-pycon-keynote", as blogs name posts
    if not words:
        return stem
    if words.isupper():
        words = words.title()
    # "Day1 Azure Cosmos DB": the day is the schedule's, not the talk's; "Day 1 keynote" keeps it
    words = re.sub(r"^day\s?\d{1,2}\s+(?!keynote)(?=\S+\s+\S)", "", words, flags=re.IGNORECASE)
    return words[0].upper() + words[1:]


def one_line(text: str) -> str:
    """Collapse whitespace to single spaces (titles, speakers)."""
    return " ".join(text.split())


def line_span(first: int, last: int) -> str:
    """"line 7" or "lines 7–9" (1-based), for problems a person will look up."""
    return f"line {first}" if first == last else f"lines {first}–{last}"


def loose_text(first: int, last: int, where: str) -> str:
    """The warning for text that belongs to no session: "lines 3–4, before the first
    session, are not part of any session and were not indexed"."""
    one = first == last
    return (f"{line_span(first, last)}, {where}, {'is' if one else 'are'} not part of any "
            f"session and {'was' if one else 'were'} not indexed")
