"""Markdown notes: optional YAML (or Hugo's TOML) front matter, headings parsed by markdown-it-py.

A file is one session unless it is a listing (a page title over several talks) or a whole
event's notes (talks under the event's and its days' headings). The title
comes from the front matter, a heading or first line that opens the file, else the file
name; speakers from the front matter, the title line ('"Title" by Name'), labelled lines
("Presenter:", "* Who" over nested names), a names heading under the title, names bullets
at the top of the notes, or prose near the start ("led by Jane Roe").
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler
from markdown_it import MarkdownIt
from pydantic import ValidationError

from bot.corpus.errors import NoteError
from bot.corpus.inline_meta import META_LINE, byline_speakers, read_inline_meta
from bot.corpus.limits import DEFAULT_LIMITS, ReadLimits, bounded_yaml_loader
from bot.corpus.markdown_layouts import LIGHTNING, bullet_talks_as_headings, headings_as_written
from bot.corpus.models import Session
from bot.corpus.passages import BULLET, make_passages
from bot.corpus.people import strip_markup
from bot.corpus.prose import prose_speakers
from bot.corpus.schema import SessionMeta, describe_error
from bot.corpus.text import loose_text, one_line, real_date
from bot.corpus.titles import (
    NOTE_TAKERS_LIST,
    TIME_OF_DAY,
    names_line,
    split_title,
    tidy_title,
    title_from_filename,
    whole_name,
)

Warn = Callable[[str], None]

# Only the block structure is read (headings and where they stand): inline parsing is off.
_md = MarkdownIt("commonmark").disable(["inline", "text_join"], ignoreInvalid=True)
_SECTION_WORDS = {
    "notes", "agenda", "summary", "background", "discussion", "overview", "links", "slides",
    "questions", "q&a", "qa", "action items", "actions", "resources", "intro", "introduction",
    "conclusion", "takeaways", "outcomes", "next steps", "attendees", "problem", "goals",
    "details", "detail", "lab", "labs", "other", "demo", "demos", "keynotes", "vendors",
    "misc", "miscellaneous", "references", "abstract", "bio", "about", "topics", "tldr",
    "tl;dr", "ideas", "notes from the session",
}
_PLAIN_TITLE = re.compile(r"^[^\s#>*+\-|`<\[].{1,118}$")
_ROLE_AFTER_NAME = re.compile(r"\s[-–,@]\s?|,\s|\(")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<text>[^*_].*?)\1\s*$")


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    start: int  # first line of the heading
    end: int  # line after the heading



def _headings(content: str) -> list[Heading]:
    """Headings of the document itself: not one inside a list item or a quote (a shell
    comment in a bullet), and not a label line such as "## Presenter: Jane Roe"."""
    tokens = _md.parse(content)
    found: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map and token.level == 0:
            inline = tokens[index + 1]
            text = one_line(re.sub(r"(?<!\\)[*`]+|(?<!\w)_+|_+(?!\w)", "", inline.content))
            text = text.strip(" #:")
            label = META_LINE.match(text.replace("\\", ""))
            if text and (label is None or _names_a_topic(label)):
                found.append(Heading(int(token.tag[1]), text, token.map[0], token.map[1]))
    return found


def _names_a_topic(label: re.Match[str]) -> bool:
    """"# Panel: Animations" is a panel's title, not a list of panelists."""
    return (label.group("key").lower().startswith("panel")
            and not names_line(label.group("value"), strict=True))


# A heading that holds a whole event or one of its days, not a talk: "normConf 2022",
# "SciPy 2023", "Day 2", "Tuesday", "2023-07-11".
# "1er jour", "2ème jour", "Tag 2", "Día 1": days as French, German, Spanish notes name them.
_OTHER_DAYS = r"\d(?:er|re|e|ème|eme)?\s+jour|jour\s*\d|tag\s*\d|d[ií]a\s*\d"
_CONTAINER = re.compile(
    r"\b(?:(?:19|20)\d\d|day\s*\d{1,2}|day\s+(?:one|two|three|four|five)|monday|tuesday|"
    rf"wednesday|thursday|friday|saturday|sunday|{_OTHER_DAYS})\b", re.IGNORECASE)
# What a talk's heading looks like in a conference's notes: lettered or numbered ("A. How
# small can I get that Docker container?", "3) Keynote"), or a speaker line under it.
_ENUMERATED = re.compile(r"^(?:[A-Z]\d{0,2}|\d{1,2})[.)]\s+\S")
# "Talk 3 - Nanoscale Sorting", "Talk 1. Data science done wrong": a talk by its number.
_TALK_NUMBER = re.compile(
    r"^(?:talk|presentation|lightning talk)\s*#?\d{1,2}\s*(?:[-–—:.)]\s*)?(?=\S)", re.IGNORECASE)
# An event's page of notes ("# WPEngine Decode Notes"), over talks in sections of their own.
_NOTES_OF = re.compile(r"\bnotes\b", re.IGNORECASE)
# A talk's notes with no sections of their own are at least this long (lines with text;
# hand-set: a section of one talk's notes is seldom as long).
_TALK_LINES = 30
# ... but not one session's ("# New Contributor Workshop 2018 - Notes", in parts).
_ONE_SESSION = re.compile(r"\b(?:workshop|tutorial|keynote|panel|training|lab|bootcamp|talk|"
                          r"session|course|class|webinar)\b", re.IGNORECASE)
_SPEAKER_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?:speakers?|presenters?|presented by|panelists?)\b"
    r"\s*(?:\*\*|__)?\s*[:\-–]", re.IGNORECASE)
# Of a talk's lines, how many (not blank) are looked at for a speaker line.
_SPEAKER_LOOKAHEAD = 3
# A name without a known first name is at most this long ("Dan Radez"; hand-set).
_LOOSE_NAME_WORDS = 3
# A listing's introduction above its talks is at most this many lines (hand-set: a talk's
# own speaker, time and abstract above its parts run longer).
_LISTING_PREAMBLE = 5
# Lines of notes above a file's first H1 from which its H1s are one talk's parts
# (hand-set: a banner or a date line above the first talk is shorter).
_INTRODUCED_LINES = 4
# A heading with nothing under it is a note of its own from this many words (hand-set:
# "Q&A", "Live demo" are empty sections; "Support both portrait and landscape" is a note).
_NOTE_HEADING_WORDS = 4
# Speakers at most set one a line under a talk's title (hand-set: a panel's size).
_LISTED_SPEAKERS = 8
# A line of names under a talk's title is at most this long (hand-set).
_NAMES_LINE_WORDS = 8


_HEADING_LINK = re.compile(r"^\[[^\]]+\]\((?P<url>https?://[^\s()]+)\)$")


def heading_link(text: str) -> str | None:
    """The address of a heading that is one link ("## [Caching without tears](https://…)"):
    the talk's page, as notes link their titles."""
    match = _HEADING_LINK.match(text.strip())
    return match.group("url") if match else None


def _talk_headings(headings: list[Heading], lines: list[str]) -> list[Heading] | None:
    """Where one file holds a whole event's notes ("# SciPy 2023", "## Day 1", "### A. Keynote
    …"), the headings to split it at: the level that holds the talks (three or more, most
    lettered or with a speaker line), under headings that name the event or a day. Other
    headings above the talks that hold none ("# Things to Google") are sessions of their own.
    None when the file is not laid out so."""
    ends = _section_ends(headings, len(lines))
    for level in (2, 3):
        talks = [h for h in headings if h.level == level and not _is_day(h.text)]
        above = [h for h in headings if h.level < level]
        numbered = [_TALK_NUMBER.match(t.text) is not None for t in talks]
        if len(talks) < (2 if all(numbered) else 3) or not above:
            continue
        names = [_has_speaker_line(t, lines) or _names_its_speaker(t.text) or number
                 for t, number in zip(talks, numbered, strict=True)]
        named = sum(names)
        looks_like_talks = sum(n or _ENUMERATED.match(t.text) is not None
                               for n, t in zip(names, talks, strict=True))
        holders = _holders(headings, talks, level)
        # Or each in sections of its own, under one heading that names the event's notes or
        # a year ("# WWDC 2021 Notes", "## What's new in Swift", "### Build Improvements").
        following = {h.start: nxt for h, nxt in itertools.pairwise(headings)}
        in_sections = sum(
            ((nxt := following.get(t.start)) is not None and nxt.level > level
             and nxt.start < ends[t.start])
            or sum(1 for line in lines[t.end:ends[t.start]] if line.strip()) >= _TALK_LINES
            for t in talks)
        # Under the event's heading, at most a date or a subtitle before the next heading:
        # a paragraph there introduces one session ("# 2018 roadmap update", then who
        # speaks and why), whose parts follow.
        intro = [line for line in lines[headings[0].end:headings[1].start] if line.strip()]
        sectioned = (len(holders) == 1 and holders[0] is headings[0]
                     and len(intro) <= 2 and in_sections * 2 >= len(talks)
                     and not any(_is_section(t.text) for t in talks)
                     and bool(_NOTES_OF.search(holders[0].text)
                              or _CONTAINER.search(holders[0].text))
                     and not _ONE_SESSION.search(holders[0].text))
        if looks_like_talks * 2 < len(talks) and not sectioned:
            continue
        # The event's own heading may have no year ("# CSSconf EU") when the talks under it
        # plainly are talks: most name their speakers.
        # ... and over its days ("# Frozenrails", "## 2012-09-19", "### Talk - Speaker").
        events = [h for h in holders if not _is_day(h.text)]
        event_heading = (len(events) == 1 and events[0] is headings[0]
                         and events[0].level == 1 and (named * 2 >= len(talks) or sectioned))
        if not holders or not (event_heading or all(_CONTAINER.search(h.text)
                                                    for h in holders)):
            continue
        others = [h for h in above if h not in holders and not _is_section(h.text)]
        return sorted([*talks, *others], key=lambda h: h.start)
    return None


def _holders(headings: list[Heading], talks: list[Heading], level: int) -> list[Heading]:
    """The headings above ``level`` that hold at least one of ``talks``, in one pass (a file
    of thousands of headings costs no more than reading it)."""
    talk_starts = {t.start for t in talks}
    open_above: list[Heading] = []
    found: dict[int, Heading] = {}
    for heading in headings:
        while open_above and open_above[-1].level >= heading.level:
            open_above.pop()
        if heading.start in talk_starts:
            found.update((h.start, h) for h in open_above)
        elif heading.level < level:
            open_above.append(heading)
    return sorted(found.values(), key=lambda h: h.start)


_DAY = re.compile(r"^(?:day\s*(?:\d{1,2}|one|two|three|four|five)|monday|tuesday|wednesday|"
                  rf"thursday|friday|saturday|sunday|{_OTHER_DAYS})\b", re.IGNORECASE)


def _is_day(text: str) -> bool:
    """"Day 1", "Tuesday, 3 May", "2031-05-03": a day of the event, never a talk."""
    return bool(_DAY.match(text.strip("*_ ")) or _date_of(text))


def _names_its_speaker(text: str) -> bool:
    """A talk's heading that names its speaker or its slot ("Code Review - Amy Gebhardt",
    "Sorting Algorithms | Jenn Schiffer (9am)")."""
    return bool(split_title(text)[1]) or bool(TIME_OF_DAY.search(text))


def _unlettered(text: str) -> str:
    """"A. Keynote" → "Keynote", "Talk 3 - Nanoscale Sorting" → "Nanoscale Sorting"."""
    if number := _TALK_NUMBER.match(text):
        return text[number.end():]
    return text.split(maxsplit=1)[1] if _ENUMERATED.match(text) else text


def _section_ends(headings: list[Heading], last: int) -> dict[int, int]:
    """Each heading's section end (by its first line): where the next heading of the same
    or a higher level starts, else ``last``. One pass, so a file of thousands of headings
    costs no more than reading it."""
    ends: dict[int, int] = {}
    open_sections: list[Heading] = []
    for heading in headings:
        while open_sections and open_sections[-1].level >= heading.level:
            ends[open_sections.pop().start] = heading.start
        open_sections.append(heading)
    ends.update((h.start, last) for h in open_sections)
    return ends


_QUOTED = re.compile(r"^\s*>\s*")
_QUOTED_NAME = re.compile(r"^\s*>\s?(?P<text>[^>].*)$")


def _has_speaker_line(heading: Heading, lines: list[str]) -> bool:
    """A labelled speaker line ("* speaker: Jane Roe") among a talk's first lines, or a
    bold line of names or a byline opening it ("**Jane Roe, Yale**", "by Jane Roe")."""
    following = [_QUOTED.sub("", line) for line in lines[heading.end:heading.end + 10]
                 if line.strip()]  # "> Rod Soto", a speaker line set as a quote
    if any(_SPEAKER_LINE.match(line) for line in following[:_SPEAKER_LOOKAHEAD]):
        return True
    if following and byline_speakers(following[0]):
        return True
    if following and len(following[0].split()) <= _NAMES_LINE_WORDS and names_line(
            following[0].strip(), strict=True):
        return True  # the speaker's name alone on the line under the title
    bold = _BOLD_LINE.match(following[0]) if following else None
    return bold is not None and bool(names_line(bold.group("text"), strict=True))


_LINKED = re.compile(r"\[[^\]]+\]\(https?://[^)\s]+\)")
_FUNCTION_WORDS = frozenset({"a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "with",
                             "by", "at", "is", "vs"})


def _is_a_note(heading: str) -> bool:
    """Whether a heading with nothing under it says something ("Avoid jargon and acronyms")
    rather than naming an empty part of a template ("Key Takeaways / Analysis of Situation",
    "Date & time: 11/18 2:00PM")."""
    words = strip_markup(heading).split()
    if len(words) < _NOTE_HEADING_WORDS or re.search(r":\s*\d|:$", heading):
        return False
    return any(w[0].islower() and w.lower().strip(".,!?\"'") not in _FUNCTION_WORDS
               for w in words)


def _is_section(text: str) -> bool:
    return strip_markup(text).casefold().strip(" :") in _SECTION_WORDS


def _shares_word(text: str, stem: str) -> bool:
    """Does a heading share a word (or a word's start) with the file name?"""
    stem_words = [w for w in re.split(r"[^a-z0-9]+", stem.lower()) if len(w) > 2]
    for word in re.split(r"[^a-z0-9]+", text.lower()):
        if len(word) > 2 and any(w.startswith(word[:5]) or word.startswith(w[:5])
                                 for w in stem_words):
            return True
    return False


def _names_bullets(lines: list[str], limit: int, strict: bool) -> tuple[list[str], set[int]]:
    """Names on the top-level bullets (or short lines) that open the notes ("* Abby Fuller -
    Sr Evangelist, AWS"), up to the first that is not a name. Nested lines under a name
    are its role and stay out of the speakers."""
    names: list[str] = []
    used: set[int] = set()
    top: int | None = None
    for i, raw in enumerate(lines[:limit]):
        if not raw.strip() or raw.strip() == ">":
            continue
        # "> Jane Roe／OpenNet": the speaker line of notes that quote their talk's card
        line = _QUOTED.sub("", raw).replace("／", " / ") if raw.startswith(">") else raw
        match = BULLET.match(line)
        if not match and (len(line) > 80 or line.startswith(("#", " ", ">"))):
            break
        indent = len(match.group(1)) if match else 0
        if top is None:
            top = indent
        if indent > top:
            continue
        found = names_line(BULLET.sub("", line), strict=strict)
        if not found:
            break
        names.extend(n for n in found if n not in names)
        used.add(i)
    return names, used


_DETAILS = {"detail", "details", "speaker", "speakers", "presenter", "presenters",
            "about the speaker", "about the speakers"}
_NAME_ONLY = re.compile(r"^[^,:;!?]{3,60}?(?:\s*\([^)]*\))?$")


def _details_speakers(lines: list[str], subheadings: list[Heading], offset: int
                      ) -> tuple[list[str], set[int]]:
    """Names listed as bullets under a "Details:" or "Speakers" heading near the top
    ("* Larry Wall (Craigslist)" beside the schedule link and the time)."""
    names: list[str] = []
    used: set[int] = set()
    for n, head in enumerate(subheadings[:3]):
        if head.text.casefold().strip(" :") not in _DETAILS:
            continue
        stop = subheadings[n + 1].start - offset if n + 1 < len(subheadings) else len(lines)
        for i in range(head.end - offset, stop):
            match = BULLET.match(lines[i])
            text = lines[i][match.end():].strip() if match else ""
            if text and _NAME_ONLY.match(text):
                found = names_line(text, strict=not text.endswith(")"))
                if found:
                    names.extend(x for x in found if x not in names)
                    used.add(i)
    return names, used


def _speaker_bullets_anywhere(lines: list[str]) -> list[str]:
    """Top-level bullets or headings of the form "Name, role, Company" (or "Name (Org):
    what she said") anywhere in a keynote or panel, where several people speak in turn."""
    names: list[str] = []
    for line in lines:
        text = re.sub(r"^#{1,6}\s+", "", BULLET.sub("", line)) if (
            line.startswith(("#", "*", "-", "+"))) else ""
        who = text.split(":", 1)[0] if ":" in text else ""  # "Ana Oprea (Google): budgets"
        if who and (found := names_line(who, strict=True)):
            names.extend(n for n in found if n not in names)
        elif text and _ROLE_AFTER_NAME.search(text):
            names.extend(n for n in names_line(text, strict=True) if n not in names)
    return names


def _session_from_lines(
    lines: list[str],
    subheadings: list[Heading],
    offset: int,
    title: str | None,
    meta: SessionMeta,
    source: str,
    summit: str | None,
    title_speakers: list[str] | None = None,
    names_first_line: bool = False,
) -> Session | None:
    """Build one session from its body lines; sub-headings split it into sections.

    ``names_first_line`` (talks listed in one file): a first line of names only is taken
    as the speakers, as in "Dan Radez" under each talk of a proposals page.
    """
    inline, used = read_inline_meta(lines)
    speakers = list(meta.speakers) or list(title_speakers or []) or list(inline.speakers)
    title = title or (tidy_title(inline.topic) if inline.topic else None)
    if not title:
        return None
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    # A heading of names right under the title ("## Andrew Godwin, Django Core Developer").
    # Strict unless it stands alone (another heading follows at once).
    if subheadings and first is not None and subheadings[0].start - offset == first:
        head = subheadings[0]
        following = subheadings[1].start - offset if len(subheadings) > 1 else len(lines)
        alone = not any(line.strip() for line in lines[head.end - offset:following])
        found = names_line(head.text, strict=not alone)
        if any(word[0].islower() for name in found for word in name.split()):
            found = []  # "### Avoid jargon and acronyms": a note, not "Avoid Jargon"
        if found:
            if not speakers:
                speakers = found
            used.update(range(head.start - offset, head.end - offset))
            subheadings = subheadings[1:]
            # "## Ian Mills - @imills - 4 Feb 2031 09:00": the talk's date is there too
            given = next((d for part in re.split(r"\s+[-–—|]\s+", head.text)
                          if (d := _date_of(re.sub(r"\s+\d{1,2}:\d{2}$", "", part)))), None)
            if given and meta.date is None:
                meta = meta.model_copy(update={"date": given})
    if not speakers and first is not None and names_first_line:
        opening = _QUOTED.sub("", lines[first])  # "> Rod Soto" under the talk's title
        found = names_line(opening, strict=False)
        if any(len(name.split()) > _LOOSE_NAME_WORDS for name in found):
            found = names_line(opening, strict=True)  # "Python Global Interpreter Lock"
        if found:
            speakers = found
            used.add(first)
            # "**Matthew Hucul**" then "**Rich McCue**" (or "> Kymberlee Price"): one
            # speaker a line, in bold or quoted
            for n in range(first + 1, min(len(lines), first + _LISTED_SPEAKERS)):
                more = _BOLD_LINE.match(lines[n]) or (
                    _QUOTED_NAME.match(lines[n]) if lines[first].lstrip().startswith(">")
                    else None)
                names = names_line(more.group("text"), strict=False) if more else []
                if not names:
                    break
                speakers.extend(name for name in names if name not in speakers)
                used.add(n)
    if not speakers:
        found, detail_lines = _details_speakers(lines, subheadings, offset)
        speakers, used = found, used | detail_lines
    if not speakers and first is not None:
        found, bullet_lines = _names_bullets(lines, 40, strict=True)
        if found:
            speakers = found
            used |= bullet_lines
    if not speakers:
        speakers = prose_speakers("\n".join(lines[:40]))
    if re.search(r"\b(keynote|panel)s?\b", title, re.IGNORECASE):
        speakers.extend(n for n in _speaker_bullets_anywhere(lines) if n not in speakers)
    sections: list[tuple[str | None, str]] = []
    bounds = [(None, 0)] + [(h.text, h.end - offset) for h in subheadings]
    starts = [0] + [h.start - offset for h in subheadings]
    for n, (heading, begin) in enumerate(bounds):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = "\n".join(
            line for i, line in enumerate(lines[begin:stop], start=begin) if i not in used
        )
        # A heading that is itself the note ("### 'I felt faster' is not data."), with
        # nothing under it and no sub-headings of its own: its words are the passage.
        leaf = n == 0 or n >= len(subheadings) or subheadings[n].level <= subheadings[n - 1].level
        if heading and leaf and not body.strip():
            if _is_a_note(heading):
                sections.append((None, strip_markup(heading)))
                continue
            if _LINKED.search(heading):  # "### [Nest](https://…)": a tool the talk named
                sections.append((None, heading))
                continue
        sections.append((heading, body))
    passages = make_passages(sections)
    if not passages and speakers:
        # A talk listed with its speakers and no notes: its speaker lines are what the notes
        # say of it ("who gave the single-cell talk?")
        passages = make_passages([(None, "\n".join(
            strip_markup(lines[i].lstrip("#")) for i in sorted(used)
            if 0 <= i < len(lines) and lines[i].strip()))])
    if not passages:
        return None
    return Session(
        title=title,
        source=source,
        speakers=speakers,
        summit=meta.summit or summit,
        date=meta.date,
        track=meta.track,
        tags=list(meta.tags),
        url=meta.url,
        aliases=list(meta.aliases),
        passages=passages,
    )


def _opening_title(lines: list[str], stem: str) -> tuple[int, str] | None:
    """A title written as the file's first line without heading marks: a bold line, or
    a short plain line followed by notes ("Containerize Legacy Apps")."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    line = lines[first].strip()
    bullet = BULLET.match(lines[first])
    if bullet and not bullet.group(1):
        # "* Open Q&A on Azure" over nested bullets naming its panel: the outline's root
        # (not in a keynote, whose first bullet is its first segment).
        if re.search(r"keynote", stem, re.IGNORECASE):
            return None
        text = lines[first][bullet.end():].strip()
        nested = next((x for x in lines[first + 1:] if x.strip()), "")
        child = BULLET.sub("", nested).strip()
        if (nested.startswith((" ", "\t")) and len(text.split()) <= 10
                and not re.search(r"[.!?:,;]$", text) and not META_LINE.match(text)
                and (names_line(child, strict=True) or META_LINE.match(child))):
            return first, text
        return None
    bold = _BOLD_LINE.match(line)
    if bold:
        nxt_i = next((i for i in range(first + 1, len(lines)) if lines[i].strip()), None)
        second = _BOLD_LINE.match(lines[nxt_i]) if nxt_i is not None else None
        if nxt_i is not None and second and not META_LINE.match(second.group("text")):
            return nxt_i, second.group("text")  # the event's name, then the talk's
        return first, bold.group("text")
    nxt = next((line2 for line2 in lines[first + 1:] if line2.strip()), "")
    if names_line(line, strict=True) and not _shares_word(line, stem):
        return None  # "Tommaso Fur, HK3Labs" above the notes of a file named for the talk
    if not _shares_word(line, stem) and title_from_filename(stem)[1]:
        return None  # "What is a good code" atop "Level up your Swift - Paul Hudson.md"
    if (_PLAIN_TITLE.match(line) and not re.search(r"[.!?,;:]$", line)
            and len(line.split()) <= 14 and not META_LINE.match(line)
            and (nxt.lstrip().startswith(("*", "-", "#")) or _shares_word(line, stem))):
        return first, line
    return None


class _BoundedYAMLHandler(YAMLHandler):
    """Front matter read with the bounded loader (no alias bombs, no deep nesting)."""

    def __init__(self, limits: ReadLimits):
        super().__init__()
        self.loader = bounded_yaml_loader(limits)

    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=self.loader)


class _TOMLHandler(BaseHandler):
    """TOML front matter between ``+++`` lines, as Hugo sites write it, read with the
    standard library's parser (python-frontmatter's own TOML handler needs the ``toml``
    package)."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        raise NotImplementedError("notes are only read")


def read_markdown(text: str, source: str, stem: str, warn: Warn | None = None,
                  limits: ReadLimits = DEFAULT_LIMITS) -> list[Session]:
    """Sessions of a Markdown file (one, or several split at repeated headings)."""
    handler: BaseHandler | None = None
    if text.startswith("---"):
        handler = _BoundedYAMLHandler(limits)
    elif text.startswith("+++"):
        handler = _TOMLHandler()
    try:
        post = frontmatter.loads(text, handler=handler)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise NoteError(f"its front matter is not valid YAML{where}; fix or remove it") from exc
    except tomllib.TOMLDecodeError as exc:
        raise NoteError(f"its front matter is not valid TOML ({exc}); fix or remove it") from exc
    try:
        meta = SessionMeta.model_validate(post.metadata or {})
    except ValidationError as exc:
        raise NoteError(describe_error(exc, "front matter")) from exc
    found = text.rfind(post.content) if post.content else -1
    offset = text.count("\n", 0, found) if found > 0 else 0  # front matter lines
    content = headings_as_written(post.content)
    headings = _headings(content)
    if not headings and not meta.title and LIGHTNING.search(stem):
        content, bullet_talks = bullet_talks_as_headings(content)
        if bullet_talks:
            headings = _headings(content)
            meta = meta.model_copy(update={"track": meta.track or "Lightning talks"})
    lines = content.split("\n")
    # The top headings: H1s or H2s, or the highest there are ("#### Title" alone)
    highest_level = min((h.level for h in headings), default=0)
    top = [h for h in headings if h.level <= max(2, highest_level)]
    top_level = min((h.level for h in top), default=0)
    at_top = [h for h in top if h.level == top_level]

    # A page whose front matter names the page and whose one H1 repeats it, with talks as
    # H2s, is a listing (e.g. a blog post of proposals): split at the H2s. Not when a long
    # preamble gives one talk's speaker, time and abstract before its parts.
    # Or a post whose front matter names a meetup, with no H1, and H2 talks that each
    # name their speakers ("## Decentralization" / "By Hugo Briand, … @ ekino").
    listed = [h for h in headings if h.level == 2]
    if meta.title and listed and not meta.has_session_fields():
        repeats_title = (len(at_top) == 1 and top_level == 1
                         and at_top[0].text.casefold() == meta.title.casefold())
        intro = lines[at_top[0].end:listed[0].start] if repeats_title else []
        preamble = sum(1 for line in intro if line.strip())
        if any(_SLOT_LINE.match(line) for line in intro) or _names_bullets(intro, 10, True)[0]:
            preamble = _LISTING_PREAMBLE + 1  # one talk's speaker and slot, above its parts
        bylined = (top_level == 2 and len(listed) >= 2
                   and sum(_has_speaker_line(h, lines) for h in listed) * 2 > len(listed))
        if (repeats_title and len(listed) >= 3 and preamble <= _LISTING_PREAMBLE) or bylined:
            _report_preamble(lines, at_top[0].end if repeats_title else 0, listed[0].start,
                             warn, offset)
            return _split(lines, listed, headings, source, summit=meta.summit or meta.title,
                          meta=SessionMeta(date=meta.date))
    # A whole event in one file: talks under the event's and its days' headings.
    event_talks = (None if meta.title or meta.has_session_fields()
                   else _talk_headings(headings, lines))
    if event_talks is not None:
        event = next((h.text for h in headings if h.level == 1 and _CONTAINER.search(h.text)),
                     headings[0].text if headings[0].level == 1 else None)
        skip = {n for h in headings for n in range(h.start, h.end)}
        date, track, used = _event_details(lines, event_talks[0].start, skip)
        meta = meta.model_copy(update={"date": meta.date or date, "track": meta.track or track})
        _report_preamble(lines, 0, event_talks[0].start, warn, offset, skip=skip | used)
        ends = _section_ends(headings, len(lines))
        day_headings = [h for h in headings if h.level > 1 and _CONTAINER.search(h.text)]
        days = {t.start: day.text for day in day_headings for t in event_talks
                if day.start < t.start < ends[day.start]}
        return _split(lines, event_talks, headings, source, summit=meta.summit or event, meta=meta,
                      lettered=True, days=days)
    # Headings that name people belong to one keynote or panel, not to sessions of their own.
    people_headings = [h for h in at_top if _ROLE_AFTER_NAME.search(h.text)
                       and names_line(h.text, strict=True)]
    if len(people_headings) * 2 < len(at_top) and len(at_top) >= 4:
        people_headings = []  # "Claude Code Mission Control - Marco Ledesma" among talks
    generic = any(_is_section(h.text) for h in at_top)
    # A talk's own notes above its first H1 ("The Seven Righteous Fights", a handle, a
    # paragraph) make the H1s its parts, not talks of their own.
    introduced = sum(1 for line in lines[:at_top[0].start] if line.strip()) \
        >= _INTRODUCED_LINES if at_top else False
    if not meta.title and top_level == 1 and len(at_top) >= 2 and not generic \
            and not people_headings and not introduced:
        _report_preamble(lines, 0, at_top[0].start, warn, offset)
        return _split(lines, at_top, headings, source, summit=meta.summit, meta=meta)
    # Talks as the file's top headings below H1 ("### Synergy by Zak Tedder", "## Caching
    # - Ann Lee"), with no heading above them: split when most name their speakers.
    # Or one level down, under a heading or two over them ("### Keynote Speaker", then
    # "#### Title" / "**Todd Digby**" for each talk).
    highest = highest_level or 1
    peers = [h for h in headings if h.level == highest]
    lightning = bool(LIGHTNING.search(stem))  # a page of lightning talks: each is one
    if highest == 1 and len(peers) == 1 and LIGHTNING.search(peers[0].text):
        # "# Lightning Talks" over "#### Using a graph database…", "#### Is archeology …"
        highest = min((h.level for h in headings if h.level > 1), default=1)
        peers = [h for h in headings if h.level == highest] if highest > 1 else peers
        lightning = highest > 1

    def named_mostly(found: list[Heading]) -> bool:
        return sum(_names_its_speaker(h.text) or _has_speaker_line(h, lines)
                   for h in found) * 3 >= len(found) * 2

    if len(peers) <= 2 and not lightning:
        below = [h for h in headings if h.level == highest + 1]
        if len(below) >= 3 and named_mostly(below):
            peers = below
    if not meta.title and highest > 1 and len(peers) >= 2 and not generic and (
            lightning or named_mostly(peers)):
        _report_preamble(lines, 0, peers[0].start, warn, offset)
        if lightning:
            meta = meta.model_copy(update={"track": meta.track or "Lightning talks"})
        return _split(lines, peers, headings, source, summit=meta.summit, meta=meta)
    # One session. Its title: front matter, else a heading that opens the file (or the
    # only top heading), else a plain first line, else the file name; other headings
    # become its sections.
    first_line = next((i for i, line in enumerate(lines) if line.strip()), 0)
    title_heading: Heading | None = None
    candidates = [h for h in at_top if h not in people_headings and not _is_section(h.text)]
    if not meta.title and candidates and (
            candidates[0].start == first_line or (len(at_top) == 1 and top_level == 1)):
        title_heading = candidates[0]
        if top_level >= 2 and len(at_top) >= 3 and not _shares_word(title_heading.text, stem):
            title_heading = None  # peer sections, the first of which opens the file
        elif top_level >= 3 and len(at_top) >= 2:
            title_heading = None  # "##### What is a router?" over the next part: a section
    elif meta.title and candidates and candidates[0].start == first_line and \
            tidy_title(candidates[0].text).casefold() == meta.title.casefold():
        title_heading = candidates[0]  # the H1 repeats the front matter's title
    title: str | None = meta.title
    title_speakers: list[str] = []
    begin = 0
    body = lines
    if title_heading is not None:
        title, title_speakers = split_title(title_heading.text, stem)
        if not title_speakers and (speaker := whole_name(title)):
            # "# Tom Eastman": the notes name only the speaker; the file may name the talk
            # ("pivotal-spring-one-2019-junit5.md" under "# Sam Brannen")
            title_speakers = [speaker]
            if not _shares_word(speaker, stem):
                title = title_from_filename(stem)[0]
        if meta.url is None and (link := heading_link(title_heading.text)):
            meta = meta.model_copy(update={"url": link})
        pre = lines[: title_heading.start]
        body = lines[title_heading.end:]
        if any(p.strip() for p in pre):  # a banner or date above the title: keep it, after
            body = [*body, "", *pre]
        begin = title_heading.end
        first = next((n for n, line in enumerate(body) if line.strip()), None)
        dated = _date_of(body[first]) if first is not None else None
        if first is not None and dated and meta.date is None:  # "# Generative AI", "2024-08-14"
            meta = meta.model_copy(update={"date": dated})
            body = [*body[:first], "", *body[first + 1:]]
        # "# 2017/11/11 Data Science Day", "# 20180309 LINE meetup": the date, then the title
        lead = _LEADING_DATE.match(title or "")
        if lead and meta.date is None and (when := real_date(*lead.group(1, 2, 3))):
            meta = meta.model_copy(update={"date": when})
            title = lead.group(4)
    elif not meta.title and not (at_top and at_top[0].start == first_line):
        opening = _opening_title(lines, stem)
        if opening is not None:
            n, line = opening
            title, title_speakers = split_title(line, stem)
            body = lines[n + 1:]
            begin = n + 1
    # "> 2026-04-23 15:35 - 16:15 @ Hall 10F" among the lines under the title
    first_lines = [n for n, line in enumerate(body) if line.strip()][:_SLOT_LOOKAHEAD]
    slot = next((m for n in first_lines if (m := _SLOT_LINE.match(body[n]))), None)
    if slot and meta.date is None and (when := real_date(*slot.group(1, 2, 3))):
        meta = meta.model_copy(update={"date": when})
    if title is not None and meta.title:
        title = tidy_title(title)
    subs = [h for h in headings if h is not title_heading and h.start >= begin]
    session = _session_from_lines(body, subs, begin, title, meta, source, None,
                                  title_speakers=title_speakers)
    if session is None and not title:
        named, named_speakers = title_from_filename(stem)
        session = _session_from_lines(body, subs, begin, named, meta, source, None,
                                      title_speakers=named_speakers)
    if session is not None and people_headings and not meta.speakers:
        for heading in people_headings:
            session.speakers.extend(n for n in names_line(heading.text, strict=True)
                                    if n not in session.speakers)
    return [session] if session else []


# A line that only gives a date: "*Wednesday, 19 April*", "April 19, 2031", "2031-04-19".
_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
_DATE_LINE = re.compile(
    rf"^(?:{_WEEKDAY},?\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}"
    rf"(?:st|nd|rd|th)?)(?:,?\s+\d{{4}})?$|^\d{{4}}-\d{{2}}-\d{{2}}$", re.IGNORECASE)


def _date_of(line: str) -> str | None:
    """The date a line gives when it gives nothing else ("*Wednesday, 19 April*")."""
    plain = line.strip().strip("*_ ")
    return plain if _DATE_LINE.match(plain) else None


# A talk's slot under its title: its date, times and room ("> 2026-04-23 15:35 - 16:15 @
# Hall"), among the first lines looked at.
_SLOT_LINE = re.compile(r"^\s*>?\s*\**(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\**(?:\s+\d{1,2}:\d{2}"
                        r"(?:\s*[-–~]\s*\d{1,2}:\d{2})?)?(?:\s*[@|,].{0,120})?\s*$")
_SLOT_LOOKAHEAD = 3
_LEADING_DATE = re.compile(r"^((?:19|20)\d\d)[-/.]?(\d{2})[-/.]?(\d{2})\s+(\S.*)$")


_BOLD_ONLY = re.compile(r"^(\*\*|__)(?P<text>[^*_]{2,80})\1$")
# Of an event's preamble, a subtitle this long at most is its track (hand-set).
_TRACK_WORDS = 8


def _event_details(lines: list[str], end: int, skip: set[int]
                   ) -> tuple[str | None, str | None, set[int]]:
    """The date and the track an event file gives above its first talk ("**Human
    Immunology I**" then "*Wednesday, 19 April*"), and the lines that gave them: every
    talk of the file has them."""
    date = track = None
    used: set[int] = set()
    for n in range(end):
        line = lines[n].strip()
        if not line or n in skip:
            continue
        bold = _BOLD_ONLY.match(line)
        if date is None and (given := _date_of(line)):
            date = given
        elif track is None and bold and len(bold.group("text").split()) <= _TRACK_WORDS:
            track = one_line(bold.group("text"))
        else:
            continue
        used.add(n)
    return date, track, used


def _report_preamble(lines: list[str], begin: int, end: int, warn: Warn | None,
                     offset: int, skip: set[int] | frozenset[int] = frozenset()) -> None:
    """Text above the first talk of a listing belongs to no talk: say so, with the lines
    as the file numbers them (``offset``: lines of front matter above the content;
    ``skip``: lines that are headings, such as the event's own)."""
    text = [n for n in range(begin, end) if lines[n].strip() and n not in skip]
    if text and warn is not None:
        warn(loose_text(text[0] + 1 + offset, text[-1] + 1 + offset, "before the first session"))


def _inside(headings: list[Heading], at: int, stop: int) -> list[Heading]:
    """The headings after ``headings[at]`` that start before line ``stop`` (its section's
    end): its sub-headings, found without scanning the whole file."""
    found: list[Heading] = []
    n = at + 1
    while n < len(headings) and headings[n].start < stop:
        found.append(headings[n])
        n += 1
    return found


# A heading over several talks of one kind ("## Keynote" over "### The Seif Project").
_GROUP = re.compile(r"^(?:⚡️?\s*)?(?:opening |closing |morning |afternoon )?(?:keynotes?|"
                    r"lighti?ni?ng talks?|panels?|short talks|talks)$", re.IGNORECASE)


def _open_groups(splits: list[Heading], headings: list[Heading], lines: list[str],
                 ends: dict[int, int]) -> tuple[list[Heading], dict[int, str]]:
    """``splits`` with each group heading ("## Keynote") replaced by the talks under it,
    when there are two or more and most name their speakers; and the group's name for
    each such talk (its track), by the talk heading's first line."""
    opened: list[Heading] = []
    groups: dict[int, str] = {}
    index = {h.start: n for n, h in enumerate(headings)}
    for heading in splits:
        group = strip_markup(heading.text)
        if _GROUP.match(group):
            inside = _inside(headings, index[heading.start], ends[heading.start])
            level = min((h.level for h in inside), default=0)  # "## ⚡️ Talks" / "#### …"
            talks = [h for h in inside if h.level == level]
            named = sum(_has_speaker_line(t, lines) or _names_its_speaker(t.text) for t in talks)
            # lightning talks are talks of their own though none names its speaker
            if len(talks) >= 2 and (named * 2 > len(talks) or LIGHTNING.search(group)
                                    or "⚡" in group):
                opened.extend(talks)
                groups.update((t.start, one_line(strip_markup(heading.text))) for t in talks)
                continue
        opened.append(heading)
    return opened, groups


def _split(
    lines: list[str],
    splits: list[Heading],
    headings: list[Heading],
    source: str,
    summit: str | None,
    meta: SessionMeta,
    lettered: bool = False,
    days: dict[int, str] | None = None,
) -> list[Session]:
    """One session per heading of ``splits``; ``lettered``: the talks are numbered in the
    notes ("A. Keynote"), and the letter is no part of a title; ``days``: the day each talk
    is under (by its heading's line), added to a title that recurs ("Keynote (Day 2)"),
    and its date when the day's heading is one ("## Wednesday, 19 April")."""
    sessions: list[Session] = []
    ends = _section_ends(headings, len(lines))
    splits, groups = _open_groups(splits, headings, lines, ends)
    texts = [_unlettered(h.text) if lettered else h.text for h in splits]
    repeated = {text for text, count in Counter(texts).items() if count > 1}
    index = {h.start: n for n, h in enumerate(headings)}
    for heading, text in zip(splits, texts, strict=True):
        stop = ends[heading.start]  # a day's heading ends a talk too
        subs = _inside(headings, index[heading.start], stop)
        body = lines[heading.end:stop]
        day = (days or {}).get(heading.start)
        dated = _date_of(day) if day else None
        session_meta = SessionMeta(summit=meta.summit, date=meta.date or dated,
                                   track=groups.get(heading.start, meta.track), tags=meta.tags,
                                   url=heading_link(heading.text))
        if days and heading.start in days and text in repeated:
            text = f"{text} ({days[heading.start]})"
        title, title_speakers = split_title(text, names_follow=lettered)
        if not title_speakers and (speaker := whole_name(title)):
            title_speakers = [speaker]  # "#### Melanie Hibbert": a talk known by its speaker
        session = _session_from_lines(body, subs, heading.end, title, session_meta,
                                      source, summit, title_speakers=title_speakers,
                                      names_first_line=True)
        if session and NOTE_TAKERS_LIST.match(session.title):
            session.speakers = []  # "Things to Google": its bullets are topics, not people
        if session:
            sessions.append(session)
    return sessions
