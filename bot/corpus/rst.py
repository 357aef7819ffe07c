"""reStructuredText notes, parsed by docutils (include and raw directives disabled)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from docutils import nodes
from docutils.core import publish_doctree

from bot.corpus.errors import NoteError
from bot.corpus.inline_meta import LABEL_WORDS, read_inline_meta
from bot.corpus.models import Session
from bot.corpus.passages import make_passages
from bot.corpus.people import people, person_name
from bot.corpus.text import loose_text, one_line
from bot.corpus.titles import names_line, split_title, title_from_filename

Warn = Callable[[str], None]

_SETTINGS: dict[str, Any] = {
    "report_level": 5,
    "halt_level": 5,
    "doctitle_xform": False,
    "sectsubtitle_xform": False,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "warning_stream": io.StringIO(),
    "input_encoding": "unicode",
}


def _subsections(node: nodes.Element) -> list[nodes.section]:
    return [child for child in node.children if isinstance(child, nodes.section)]


def _title(section: nodes.section) -> str:
    return one_line(section[0].astext()) if section.children else ""


_NOT_TEXT = (nodes.system_message, nodes.comment, nodes.target, nodes.substitution_definition)


def _astext(node: nodes.Node) -> str:
    """A node's text without docutils' own messages ("<string>:187: (INFO/1) Unexpected
    possible title overline…", which report_level hides from the stream, not the tree)."""
    if not isinstance(node, nodes.Element) or next(
            iter(node.findall(nodes.system_message)), None) is None:
        return node.astext()
    return "".join(text.astext() for text in node.findall(nodes.Text)
                   if not any(isinstance(up, _NOT_TEXT) for up in _ancestors(text)))


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    found: list[nodes.Node] = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


def _render(node: nodes.Node, depth: int = 0) -> list[str]:
    """Body nodes as text blocks; bullet lists keep their outline."""
    if isinstance(node, nodes.paragraph):
        return [one_line(_astext(node))]
    if isinstance(node, nodes.bullet_list | nodes.enumerated_list):
        lines: list[str] = []
        for item in node.children:
            parts: list[str] = []
            for child in item.children:
                if isinstance(child, nodes.bullet_list | nodes.enumerated_list):
                    parts.extend(_render(child, depth + 1))
                elif not isinstance(child, _NOT_TEXT):
                    parts.append(one_line(_astext(child)))
            if parts:
                lines.append("  " * depth + "- " + parts[0])
                lines.extend(p if p.lstrip().startswith("- ") else "  " * (depth + 1) + p
                             for p in parts[1:])
        return ["\n".join(lines)] if depth == 0 else lines
    if isinstance(node, nodes.literal_block):
        return [node.astext()]
    if isinstance(node, nodes.system_message | nodes.comment | nodes.target
                  | nodes.substitution_definition | nodes.title):
        return []
    if isinstance(node, nodes.Element) and node.children:
        out: list[str] = []
        for child in node.children:
            out.extend(_render(child, depth))
        return out
    text = node.astext().strip()
    return [one_line(text)] if text else []


def _speakers(section: nodes.section) -> list[str]:
    """Names set in bold at the start of a bullet item ("**Dan Radez** *(bio)*")."""
    names: list[str] = []
    for item in section.findall(nodes.list_item):
        if item.parent is None or item.parent.parent is not section:
            continue
        para = item.children[0] if item.children else None
        if not isinstance(para, nodes.paragraph) or not para.children:
            continue
        lead = para.children[0]
        if isinstance(lead, nodes.strong):
            text = lead.astext()
        else:  # "**Tal  Anker **": a space before the closing stars is no bold to docutils
            match = re.match(r"\*\*([^*]+?)\s*\*\*", para.astext())
            if not match:
                continue
            text = match.group(1)
        name = person_name(one_line(text), allow_single=True, lowercase=True)
        if name and name not in names:
            names.append(name)
    return names


_SPEAKER_FIELDS = {"speaker", "speakers", "author", "authors", "presenter", "presenters",
                   "by", "panelists"}
_DATE_FIELDS = {"date", "when"}
_LINK_FIELDS = {"slides", "video", "url", "link", "recording"}


def _fields(section: nodes.Element) -> dict[str, str]:
    """The talk's details as an rst field list under its title gives them (":Speaker: Dan
    Menard", ":Date: 2012-07-18"), by lower-case name."""
    found: dict[str, str] = {}
    for child in section.children:
        if isinstance(child, nodes.field_list | nodes.docinfo):
            for field in child.findall(nodes.field):
                name, body = field.children[0].astext(), field.children[-1].astext()
                found.setdefault(" ".join(name.lower().split()), one_line(body))
    return found


def _blocks(section: nodes.Element) -> list[str]:
    """The section's own text blocks (not its sub-sections'); short "Label:" lines and a
    field list of the talk's details go."""
    blocks: list[str] = []
    for child in section.children:
        if isinstance(child, nodes.section | nodes.title):
            continue
        if isinstance(child, nodes.field_list) and set(_fields(section)) & (
                _SPEAKER_FIELDS | _DATE_FIELDS | _LINK_FIELDS):
            continue
        for block in _render(child):
            text = block.strip()
            if text and not (text.endswith(":") and len(text) < 40 and "\n" not in text):
                blocks.append(text)
    return blocks


# A first paragraph that only names the speakers (and links the slides) is this short.
_NAMES_BLOCK_WORDS = 8


def _labelled_speakers(blocks: list[str]) -> list[str]:
    """Speakers of a first paragraph that names them ("By Jane Roe", "Presenters: Ann Lee,
    Acme and Bo Chen, Initech. Abstract: …"); a paragraph that only names them is taken out
    of ``blocks``, one that goes on to say more stays."""
    if not blocks or "\n" in blocks[0]:
        return []
    meta, used = read_inline_meta([blocks[0]])
    if meta.speakers and used and len(blocks[0].split()) <= LABEL_WORDS:
        del blocks[0]
    if not meta.speakers and len(blocks[0].split()) <= _NAMES_BLOCK_WORDS and (
            names := names_line(blocks[0], strict=True)):
        if "://" not in blocks[0]:  # "Baptiste Mispelon" (a slides link stays quoted)
            del blocks[0]
        return names
    return meta.speakers


def _sections(section: nodes.section, own: list[str]) -> list[tuple[str | None, str]]:
    """The session's text (its ``own`` blocks), then each sub-section's under its title."""
    found: list[tuple[str | None, str]] = [(None, "\n\n".join(own))]
    for sub in section.findall(nodes.section, include_self=False):
        found.append((_title(sub), "\n\n".join(_blocks(sub))))
    return found


def _session(section: nodes.section, source: str, track: str | None) -> Session | None:
    own = _blocks(section)
    labelled = _labelled_speakers(own)
    passages = make_passages(_sections(section, own))
    if not passages:
        return None
    fields = _fields(section)
    speakers = _speakers(section)
    speakers.extend(n for n in labelled if n not in speakers)
    for name in _SPEAKER_FIELDS & set(fields):
        speakers.extend(n for n in people(fields[name], allow_single=True) if n not in speakers)
    for part in filter(_is_speaker_part, _subsections(section)):  # "Author" / "* Jack D."
        for block in _blocks(part):
            for line in block.split("\n"):
                found = names_line(line.lstrip("-* "), strict=False)
                speakers.extend(n for n in found if n not in speakers)
    title, title_speakers = split_title(_title(section), known_speakers=speakers)
    speakers.extend(n for n in title_speakers if n not in speakers)
    date = next((fields[name] for name in sorted(_DATE_FIELDS & set(fields))), None)
    url = next((fields[name] for name in sorted(_LINK_FIELDS & set(fields))
                if fields[name].startswith(("http://", "https://"))), None)
    return Session(title=title, source=source, speakers=speakers, track=track,
                   date=date, url=url, passages=passages)


def _is_one_talk(section: nodes.section) -> bool:
    """A talk whose parts are its sub-sections: its details are given under its title
    (":Speaker:", ":Date:") or in a part of their own ("Author" over "* Jack Diederich"),
    as a track's title never has them."""
    return bool(set(_fields(section)) & (_SPEAKER_FIELDS | _DATE_FIELDS)) or any(
        _is_speaker_part(sub) for sub in _subsections(section))


def _is_speaker_part(section: nodes.section) -> bool:
    return _title(section).lower().strip(" :") in _SPEAKER_FIELDS


def _report_loose_text(node: nodes.Element, where: str, warn: Warn | None) -> None:
    """Text that stands outside every session (above the first one): say so, with lines."""
    if warn is None or not _blocks(node):
        return
    lines = [child.line for child in node.children
             if not isinstance(child, nodes.section | nodes.title)
             and isinstance(getattr(child, "line", None), int)]
    if lines:
        warn(loose_text(min(lines), max(lines), where))
    else:
        warn(f"text {where} is not part of any session and was not indexed")


def read_rst(text: str, source: str, stem: str, warn: Warn | None = None) -> list[Session]:
    """Top sections are sessions; a single top section with subsections is a track of them.
    Text above the first session is reported through ``warn``."""
    try:
        doc = publish_doctree(text, settings_overrides=dict(_SETTINGS,
                                                           warning_stream=io.StringIO()))
    except Exception as exc:  # docutils raises many kinds on broken input
        raise NoteError(f"reStructuredText could not be parsed: {exc}") from exc
    tops = _subsections(doc)
    sessions: list[Session] = []
    if len(tops) == 1 and _subsections(tops[0]) and not _is_one_talk(tops[0]):
        track = _title(tops[0])
        _report_loose_text(doc, "before the track's title", warn)
        _report_loose_text(tops[0], f"under the track title “{track}”, before its first "
                           "session", warn)
        for sub in _subsections(tops[0]):
            session = _session(sub, source, track)
            if session:
                sessions.append(session)
        return sessions
    if not tops:
        blocks = [b for child in doc.children for b in _render(child)]
        passages = make_passages([(None, "\n\n".join(blocks))])
        title, speakers = title_from_filename(stem)
        return [Session(title=title, speakers=speakers, source=source,
                        passages=passages)] if passages else []
    _report_loose_text(doc, "before the first session", warn)
    for top in tops:
        session = _session(top, source, None)
        if session:
            sessions.append(session)
    return sessions
