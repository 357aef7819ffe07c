"""Session titles as a schedule prints them, and the speakers a title line carries.

Title lines in notes carry more than the title: '"Loop Better" by [Trey Hunner](…)',
"Kubernetes Deconstructed - Carson Anderson, DOMO @carsonoid", "Session Title: …",
"… moderated by Owen Rogers, 451 Research", "Give Me A Rest -- Jane Roe", "Mel Kaufman -
Applying SRE Principles" (the speaker first). :func:`split_title` returns the title and the
names, and leaves alone a "by" that is part of the title ("OpenShift by Red Hat",
"Preserving Anonymity by Subverting Stylometry").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.corpus.people import people, person_name, strip_markup
from bot.corpus.text import humanize_filename

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
                         r"chat|interview|q&a|ama|ask me anything|panel))(?: with| by|:) "
                         r"(?P<who>.+)$", re.IGNORECASE)
# "11:00 Alvar Lumberg - Scaling autonomy", "11:35 - A beginner's guide to eBPF": the slot
# a programme gives the talk, not its title.
_CLOCK = r"(?:[01]?\d|2[0-3])[:.h][0-5]\d(?:\s*[ap]\.?m\.?)?"
_LEADING_TIME = re.compile(
    rf"^{_CLOCK}(?:\s*[-–]\s*{_CLOCK})?(?:\s+[-–|:]\s+|\s+|:\s+)(?=[^\s%\d])", re.IGNORECASE)
_DASH_SPEAKER = re.compile(r"^(?P<title>.+?)\s+[-–—]\s+(?P<who>[^-–—]+)$")
# "Title | Jane Roe (9am)", "Title - Ted Dunning - MapR": a title, a speaker named in full
# (a known first name), and perhaps a company, set apart by dashes or bars.
_PARTS = re.compile(r"\s+(?:--?|–|—|\|)\s+")
# "Building Accessible Forms (Sarah Drasner, Netlify)": the speaker in brackets at the end.
_BRACKETED = re.compile(r"^(?P<title>.*\S)\s*\((?P<who>[^()]+)\)$")
# A nickname between a name's words ('Yukihiro "Matz" Matsumoto').
_NICKNAME = re.compile(r"\s+[\"“][^\"“”]{1,20}[\"”]\s+")
# What a speaker's role or company says, where a talk's title would not.
_ROLE_WORDS = frozenset({
    "engineer", "developer", "director", "manager", "ceo", "cto", "founder", "co-founder",
    "cofounder", "evangelist", "architect", "president", "vp", "head", "chief", "senior",
    "sr", "staff", "principal", "advocate", "consultant", "scientist", "researcher",
    "professor", "student", "maintainer", "officer", "fellow", "analyst", "lead", "owner",
    "inc", "corp", "llc", "ltd", "gmbh", "university", "institute", "arch", "eng", "dev",
    "mgr", "pm", "exec"})
# Small words a company's name may hold ("Bank of America"); other lower-case words in a
# part after a speaker's name make it a talk's title ("Reflections on a Revolution").
_NAME_FILLERS = frozenset({"of", "the", "and", "for", "de", "la", "le", "von", "van", "y", "&"})
_KIND_OF_TALK = re.compile(r"^(?:opening |closing |ending )?(?:keynote|talk|hands[- ]on|workshop|"
                           r"panel|lightning talk|tutorial)$", re.IGNORECASE)
_HANDLE_OR_DATE = re.compile(r"^\s*@\w|"
                             r"^\s*\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}\s*$|"
                             r"^\s*[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\s*$|"
                             r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")
_SESSION_KIND = re.compile(r"^(?:opening |closing )?(?:keynote|panel|workshop|lightning talks?|"
                           r"fireside chat|q&a|ama|interview)$", re.IGNORECASE)
TIME_OF_DAY = re.compile(r"\s*\(\s*\d{1,2}(?::\d{2})?\s*(?:am|pm)\s*\)\s*$|"
                         # "(K.3.601 11:40 - 12:10)": a room and a time range, as FOSDEM's
                         r"\s*\([^()]{0,40}\b\d{1,2}[:.]\d{2}\s*[-–]\s*\d{1,2}[:.]\d{2}\s*\)\s*$",
                         re.IGNORECASE)
# The note-taker's own lists, beside the notes of talks: never a session's speakers, and
# a file of nothing else is not indexed.
NOTE_TAKERS_LIST = re.compile(
    r"^(?:(?:notable |favou?rite |best )?quotes|(?:tech|things|stuff|tools) to (?:check|try|"
    r"read|look at|google|look up)(?: out)?(?:\s*/\s*read)?|to ?do|todo list|to google|"
    r"reading list|bookmarks|links|table of contents|contents|index|contacts|"
    r"people (?:i met|to follow)|[aà] (?:faire|voir|lire))$",
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


# "Session: Node.js at Uber", "TALK - War stories": a programme's label, not the title.
_KIND_LABEL = re.compile(r"^(?:session|talk|presentation|lecture)(?:\s*:|\s+[-–])\s+(?=\S)",
                         re.IGNORECASE)


def tidy_title(text: str) -> str:
    """Markup, labels, surrounding quotes and a trailing colon off a title."""
    title = strip_markup(text[:MAX_TITLE_LINE])
    title = _LABEL.sub("", title) if _LABEL.match(title) and len(title) > 12 else title
    title = _KIND_LABEL.sub("", title)
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
    raw = _LEADING_TIME.sub("", " ".join(line.split()))
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
    # "Title by Jane Roe[, Acme]": a credit when the names are known to be speakers, or
    # when what follows "by" is nothing but people with known first names ("… by Wanda He
    # and Thuymy Tran"; "Preserving Anonymity by Subverting Stylometry" names no one).
    for by in reversed(list(_BY.finditer(text))):
        who = people(text[by.end():])
        first = re.split(r"\s*(?:,|&|\band\b)\s*", text[by.end():], maxsplit=1)[0]
        if who and (_names_in_stem(who, stem) or ({w.casefold() for w in who} <= known
                    and known) or whole_name(first, strict=not names_follow) == who[0]):
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
    # "Sebastian Feldmann - Git Fu Developing", where the file's talk headings name their
    # speakers: a known name first is the speaker, and the rest the title
    if names_follow and len(parts) == 2 and (first := whole_name(parts[0])) and \
            not whole_name(parts[1]) and not _HANDLE_OR_DATE.search(parts[1]):
        return tidy_title(parts[1]), [first]
    # "Opening Keynote - Compassionate Refactoring - Clare Sudbery": kind, title, speakers
    if len(parts) == 3 and _KIND_OF_TALK.match(parts[0]) and (
            who := people(parts[2], strict=not names_follow)):
        kind = "" if parts[0].strip().lower() == "talk" else f"{parts[0]} - "
        return tidy_title(kind + parts[1]), who
    if len(parts) in (2, 3) and parts[0].strip():
        who = people(parts[1], strict=not names_follow)
        # "Title - Jane Roe, VP of design at Acme, who used to …": a name, then her role
        if who and len(parts[1].split()) <= 4 * len(who):
            return tidy_title(parts[0]), who
        # "Jane Roe, Dev at Acme & John Doe, Consultant": each name opens its part, and
        # the rest is a role, not more people ("Yoav Weiss, Web performance and …")
        opening = [name for chunk in re.split(r"\s+(?:&|and)\s+", parts[1])
                   if (name := whole_name(chunk.split(",")[0], strict=not names_follow))]
        if opening and whole_name(parts[1].split(",")[0], strict=not names_follow):
            return tidy_title(parts[0]), opening
    if len(parts) == 3 and (last := whole_name(parts[2])):  # "Title - Subtitle - Jane Roe"
        return tidy_title(f"{parts[0]} - {parts[1]}"), [last]
    match = _BRACKETED.match(TIME_OF_DAY.sub("", text))
    if match and whole_name(match.group("who").split(",")[0]) is not None:
        return tidy_title(match.group("title")), people(match.group("who"), strict=True)
    found = speaker_first(text)
    if found is not None:
        return found
    return tidy_title(text), []


def whole_name(text: str, *, strict: bool = True) -> str | None:
    """The name ``text`` is, when it is nothing but a name (``strict``: with a known first
    name): "Jane Roe", 'Yukihiro "Matz" Matsumoto'; None for "Jane Roe's talk" or a company."""
    plain = _NICKNAME.sub(" ", f" {strip_markup(text)} ").strip()
    name = person_name(plain, strict=strict)
    if name is None or len(name.split()) != len(plain.split()):
        return None
    if any(len(word.strip(".")) > 1 and word.isupper() for word in name.split()):
        return None  # "US Rowing", "IBM Cloud": letters of an organisation
    return name if strict or len(name.split()) <= 3 else None  # "Single Cell Biology Made Simple"


def _reads_as_title(text: str) -> bool:
    """Whether what follows a speaker's name is a talk's title, not a role or a company:
    a kind of session ("Keynote"), a question, or words a company's name does not hold
    ("Reflections on a Reluctant Revolution", "Applying SRE Principles")."""
    plain = TIME_OF_DAY.sub("", strip_markup(text)).strip()
    words = re.findall(r"[\w'’&-]+", plain)
    if not words or any(w.lower() in _ROLE_WORDS for w in words) or people(plain, strict=True):
        return False
    if "," in plain and len(plain.rsplit(",", 1)[1].split()) <= 2:
        return False  # "k8s + openshift, Redhat": what she works on, and where
    if _SESSION_KIND.match(plain) or plain.endswith("?") or len(words) >= 6:
        return True
    if len(words) < 3:
        return False
    lower = [w for w in words if w[0].islower() and w.lower() not in _NAME_FILLERS]
    return bool(lower) or words[0].lower().endswith("ing")


def speaker_first(text: str) -> tuple[str, list[str]] | None:
    """(title, [speaker]) of a heading that opens with its speaker ("Mel Kaulfuss -
    Applying SRE Principles", as some notes head each talk), else None: "Jane Roe - VP
    Engineering, Acme" names a person and her role. The name needs a known first name:
    "Vector Search - A gentle introduction" is a title and its subtitle."""
    parts = _PARTS.split(" ".join(text.split()))
    if len(parts) < 2 or len(text) > MAX_TITLE_LINE:
        return None
    name = whole_name(parts[0])
    if any(_HANDLE_OR_DATE.search(part) for part in parts[1:]):
        return None  # "Bear Douglas - @beardigsit - 19 Feb 2015": a person's line
    rest = " - ".join(parts[1:])
    if name is None or not _reads_as_title(rest):
        return None
    return tidy_title(rest), [name]


def title_from_filename(stem: str) -> tuple[str, list[str]]:
    """(title, speakers) of a file named after its talk ("Keynote by Evan Yost.md", "AI
    Reviewers - Ann Lee.md"), for notes that give no title of their own."""
    title, speakers = split_title(humanize_filename(stem), stem)
    return title or humanize_filename(stem), speakers


# A sentence's end: not the stop of an initial or a title ("Kent C. Dodds", "Dr. Peng Yin").
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\bDr)(?<!\bProf)(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bSt)"
                           r"[.!?]\s+\w")


def names_line(line: str, *, strict: bool) -> list[str]:
    """Speakers of a line that holds only names ("Jane Roe, Acme & John Doe"), else []."""
    if len(line) > 400:
        return []
    text = strip_markup(line)
    if not text or len(text) > 200 or _SENTENCE_END.search(text) or text[0] in _QUOTES:
        return []
    if text.endswith(":") or re.search(r":\s+\S+\s+\S+\s+\S", text):
        return []  # "RAG Application: Use Databricks to …", a label and what it says
    names = people(text, strict=strict)
    if not names or speaker_first(text) is not None:
        return []
    # Every comma or "and" separated part must be a name, a role or a company: a sentence
    # that happens to start with a name is not a names line.
    first = re.split(r"\s*(?:,|;|\s-\s|\s–\s|\s@\s|\(|\band\b|&|\+)\s*", text)[0]
    if person_name(first, strict=strict) is None:
        return []
    return names
