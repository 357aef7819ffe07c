"""Plain-text notes like a blog post: session titles stand alone on their own lines."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.corpus.inline_meta import LABEL_WORDS, read_inline_meta
from bot.corpus.models import Session
from bot.corpus.passages import make_passages
from bot.corpus.prose import prose_speakers
from bot.corpus.text import loose_text, one_line
from bot.corpus.titles import title_from_filename

_MINOR = {"a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "with", "as", "at",
          "by", "from", "into", "your", "vs", "via", "is", "are", "&", "but", "our", "its"}


# Code in a line ("Math.log10(100) is 2", "x => x + 1"): a note, never a title.
_CODE = re.compile(r"\w\.\w+\(|=>|\(\)|[{};]|\w\[\d")


def is_title_line(line: str) -> bool:
    """Does a line read like a heading rather than a sentence?"""
    text = line.strip()
    if not (3 <= len(text) <= 110) or len(text.split()) > 16:
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "\"“'‘"):
        return False
    if re.search(r"[.,;:!?)]$", text) or re.search(r"[.!?]\s+[A-Z]", text):
        return False
    if text.startswith(("$", "#", "*", "-", ">", "http")) or _CODE.search(text):
        return False
    if is_speaker_line(text):
        return False
    words = [w.strip("\"“”'‘’():,") for w in text.split()]
    content = [w for w in words if w and w.lower() not in _MINOR]
    if not content:
        return False
    capitalised = sum(1 for w in content if w[0].isupper() or w[0].isdigit())
    # "Opening “keynote”": a short title may keep a quoted word in lower case.
    needed = 0.5 if len(content) <= 3 and (words[0][:1].isupper()) else 0.6
    return capitalised / len(content) >= needed


def is_speaker_line(line: str) -> bool:
    """"By Jane Roe", "Speaker: Ann Lee": a session's speakers, under its title, rather
    than a title."""
    meta, used = read_inline_meta([line])
    return bool(meta.speakers and used)


def session_body(lines: list[str]) -> tuple[list[str], list[str]]:
    """A session's speakers from labelled lines at its start ("Speaker: Jane Roe", a
    byline), else from its prose; and its lines without those labelled ones."""
    meta, used = read_inline_meta(lines)
    kept = [line for i, line in enumerate(lines)
            if i not in used or len(line.split()) > LABEL_WORDS]  # a label, then the notes
    return meta.speakers or prose_speakers("\n".join(kept)), kept


def _standalone_titles(lines: list[str]) -> list[int]:
    """Indexes of lines that stand alone (blank around them) and read like titles."""
    found = []
    for i, line in enumerate(lines):
        before = i == 0 or not lines[i - 1].strip()
        after = i + 1 >= len(lines) or not lines[i + 1].strip()
        if before and after and is_title_line(line):
            found.append(i)
    return found


def read_plaintext(text: str, source: str, stem: str,
                   warn: Callable[[str], None] | None = None) -> list[Session]:
    """Split at stand-alone title lines; a first line followed by prose is the post's title.

    The post's introduction, between its title and the first session, belongs to no
    session: it is reported through ``warn`` with its lines, not dropped in silence."""
    lines = text.split("\n")
    titles = _standalone_titles(lines)
    summit: str | None = None
    first_text = next((i for i, line in enumerate(lines) if line.strip()), None)
    if titles and first_text is not None and titles[0] == first_text and len(titles) > 1:
        # The post's own title: what follows it, up to the first session, is the post's.
        summit = one_line(lines[titles[0]])
        intro = [n for n in range(titles[0] + 1, titles[1]) if lines[n].strip()]
        if intro and warn is not None:
            warn(loose_text(intro[0] + 1, intro[-1] + 1,
                            "the post's introduction before its first session"))
        titles = titles[1:]
    elif titles and first_text is not None and titles[0] != first_text:
        before = [n for n in range(first_text, titles[0]) if lines[n].strip()]
        if len(titles) == 1:  # one title-like line after notes: a note, not a session
            titles = []
        elif warn is not None:
            warn(loose_text(before[0] + 1, before[-1] + 1, "before the first session"))
    if not titles:
        passages = make_passages([(None, text)])
        title, speakers = title_from_filename(stem)
        return [Session(title=title, speakers=speakers, source=source,
                        passages=passages)] if passages else []
    sessions = []
    for n, start in enumerate(titles):
        stop = titles[n + 1] if n + 1 < len(titles) else len(lines)
        speakers, body = session_body(lines[start + 1:stop])
        passages = make_passages([(None, "\n".join(body))])
        if passages:
            sessions.append(Session(title=one_line(lines[start]), source=source,
                                    speakers=speakers, summit=summit, passages=passages))
    return sessions
