"""Markdown notes: optional YAML front matter, headings parsed by markdown-it-py."""

from __future__ import annotations

import re
from dataclasses import dataclass

import frontmatter
import yaml
from markdown_it import MarkdownIt
from pydantic import ValidationError

from bot.corpus.errors import NoteError
from bot.corpus.inline_meta import read_inline_meta
from bot.corpus.models import Session
from bot.corpus.passages import make_passages
from bot.corpus.schema import SessionMeta, describe_error
from bot.corpus.text import humanize_filename, one_line

_md = MarkdownIt("commonmark")
_SECTION_WORDS = {
    "notes", "agenda", "summary", "background", "discussion", "overview", "links", "slides",
    "questions", "q&a", "qa", "action items", "actions", "resources", "intro", "introduction",
    "conclusion", "takeaways", "outcomes", "next steps", "attendees", "problem", "goals",
    "details", "lab", "labs", "other", "demo", "demos", "keynotes", "vendors", "misc",
    "miscellaneous", "references", "abstract", "bio", "about", "topics", "tldr", "tl;dr",
}


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    start: int  # first line of the heading
    end: int  # line after the heading


def _headings(content: str) -> list[Heading]:
    tokens = _md.parse(content)
    found: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            inline = tokens[index + 1]
            text = one_line(re.sub(r"[*_`]+", "", inline.content)).strip(" #:")
            if text:
                found.append(Heading(int(token.tag[1]), text, token.map[0], token.map[1]))
    return found


def _looks_like_names(text: str) -> bool:
    words = text.replace(",", " ").split()
    return (
        1 <= len(words) <= 6
        and text.lower() not in _SECTION_WORDS
        and not re.search(r"[.?!:]$", text)
        and all(w[0].isupper() or w.lower() in {"and", "&", "de", "van", "von"} for w in words)
    )


def _session_from_lines(
    lines: list[str],
    subheadings: list[Heading],
    offset: int,
    title: str | None,
    meta: SessionMeta,
    source: str,
    summit: str | None,
    names_line: bool = False,
) -> Session | None:
    """Build one session from its body lines; sub-headings split it into sections.

    With ``names_line`` (talks listed in one file), a first line of names only is taken as
    the speakers, as in "Dan Radez" under each talk of a proposals page.
    """
    inline, used = read_inline_meta(lines)
    speakers = list(meta.speakers) or list(inline.speakers)
    if subheadings and subheadings[0].start - offset <= 0 + _blank_prefix(lines) and \
            _looks_like_names(subheadings[0].text) and not speakers:
        speakers = [part.split(",")[0].strip()
                    for part in re.split(r" and | & ", subheadings[0].text)
                    if part.split(",")[0].strip()]
        used.add(subheadings[0].start - offset)  # the name line is not part of the notes
        subheadings = subheadings[1:]
    elif not speakers and names_line:
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and _looks_like_names(re.sub(r"\s*[+,]\s*", " and ",
                                                          lines[first].strip())):
            speakers = [n.strip() for n in re.split(r"\s*(?:[+,&]|\band\b)\s*",
                                                     lines[first].strip()) if n.strip()]
            used.add(first)
    title = title or inline.topic
    if not title:
        return None
    sections: list[tuple[str | None, str]] = []
    bounds = [(None, 0)] + [(h.text, h.end - offset) for h in subheadings]
    starts = [0] + [h.start - offset for h in subheadings]
    for n, (heading, begin) in enumerate(bounds):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = "\n".join(
            line for i, line in enumerate(lines[begin:stop], start=begin) if i not in used
        )
        sections.append((heading, body))
    passages = make_passages(sections)
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


def _blank_prefix(lines: list[str]) -> int:
    n = 0
    for line in lines:
        if line.strip():
            break
        n += 1
    return n


def read_markdown(text: str, source: str, stem: str) -> list[Session]:
    """Sessions of a Markdown file (one, or several split at repeated headings)."""
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise NoteError(f"its front matter is not valid YAML{where}; fix or remove it") from exc
    try:
        meta = SessionMeta.model_validate(post.metadata or {})
    except ValidationError as exc:
        raise NoteError(describe_error(exc, "front matter")) from exc
    content = post.content
    lines = content.split("\n")
    headings = _headings(content)
    top = [h for h in headings if h.level <= 2]
    top_level = min((h.level for h in top), default=0)
    at_top = [h for h in top if h.level == top_level]

    # A page whose front matter names the page and whose one H1 repeats it, with talks as
    # H2s, is a listing (e.g. a blog post of proposals): split at the H2s.
    if (
        meta.title and len(at_top) == 1 and top_level == 1 and not meta.has_session_fields()
        and at_top[0].text.casefold() == meta.title.casefold()
        and sum(1 for h in headings if h.level == 2) >= 3
    ):
        return _split(lines, [h for h in headings if h.level == 2], headings, source,
                      summit=meta.summit or meta.title, meta=SessionMeta())
    generic = any(h.text.casefold().strip(" :") in _SECTION_WORDS for h in at_top)
    if not meta.title and top_level == 1 and len(at_top) >= 2 and not generic:
        return _split(lines, at_top, headings, source, summit=meta.summit, meta=meta)
    # One session. Its title: front matter, else a heading that opens the file (or the
    # only top heading), else the file name; other headings become its sections.
    first_line = next((i for i, line in enumerate(lines) if line.strip()), 0)
    title_heading: Heading | None = None
    if not meta.title and at_top and (len(at_top) == 1 or at_top[0].start == first_line):
        title_heading = at_top[0]
    title = meta.title or (title_heading.text if title_heading else None)
    if title_heading is not None:
        pre = lines[: title_heading.start]
        body = lines[title_heading.end:]
        if any(p.strip() for p in pre):  # a banner or date above the title: keep it, after
            body = [*body, "", *pre]
        begin = title_heading.end
    else:
        body, begin = lines, 0
    subs = [h for h in headings if h is not title_heading and h.start >= begin]
    session = _session_from_lines(body, subs, begin, title, meta, source, None)
    if session is None and not title:
        session = _session_from_lines(body, subs, begin, humanize_filename(stem), meta,
                                      source, None)
    return [session] if session else []


def _split(
    lines: list[str],
    splits: list[Heading],
    headings: list[Heading],
    source: str,
    summit: str | None,
    meta: SessionMeta,
) -> list[Session]:
    sessions: list[Session] = []
    for n, heading in enumerate(splits):
        stop = splits[n + 1].start if n + 1 < len(splits) else len(lines)
        subs = [h for h in headings if heading.end <= h.start < stop and h.level > heading.level]
        body = lines[heading.end:stop]
        session_meta = SessionMeta(summit=meta.summit, date=meta.date, track=meta.track,
                                   tags=meta.tags)
        session = _session_from_lines(body, subs, heading.end, heading.text, session_meta,
                                      source, summit, names_line=True)
        if session:
            sessions.append(session)
    return sessions
