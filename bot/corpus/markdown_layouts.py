"""Note layouts rewritten into the Markdown headings they stand for, before the notes are
read: a MediaWiki heading, a lettered bold line, a plain "Title - Jane Roe, role" line of a
day's programme, "###Title" without its space; and navigation blanked (Swift DocC
directives, kramdown attribute lists, table-of-contents anchors) rather than removed, so
that warnings point at the lines people wrote. Nothing inside code is touched."""

from __future__ import annotations

import re

from bot.corpus.titles import split_title

# "===Ceilometer+Heat=Alarming=== Eoghan Glynn, Red Hat": a MediaWiki heading, then names.
_WIKI_HEADING = re.compile(r"^(={2,6})\s*([^=\s].*?)\s*\1\s*(.*)$")

# Swift DocC's page directives ("@Metadata {", "@TitleHeading("Talk")", "}"): navigation, not
# notes, blanked (line numbers stay right for warnings); a table of contents' links to the
# page's own headings ("* [WAI-ARIA](#wai-aria)") keep their words. Never inside code.
_DOCC_DIRECTIVE = re.compile(
    r"^\s*@(?:Metadata|TitleHeading|PageImage|PageKind|PageColor|TechnologyRoot|Links|Options|"
    r"Available|CallToAction|DisplayName|Redirected|SupportedLanguage|DocumentationExtension|"
    r"AutomaticTitleHeading|Comment)\b(?:\([^)]*\))?\s*(?P<block>\{)?\s*$")
_TOC_LINE = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+\[[^\]]+\]\(#[^)\s]*\)\s*$")
_ANCHOR_LINK = re.compile(r"\[([^\]]+)\]\(#[^)\s]*\)")


# kramdown's attribute lists after a link or a paragraph ({:rel="nofollow"}, {: .note}).
_KRAMDOWN_ATTRIBUTES = re.compile(r"\{:\s*(?:\.[A-Za-z]|#[A-Za-z]|[a-z-]+=)[^{}\n]{0,200}\}")


# "###The Good Parts": a heading as many notes write it, without the space CommonMark wants.
_TIGHT_HEADING = re.compile(r"^(#{2,6})(?=[A-Za-z0-9\"“])")


def _drop_navigation(content: str) -> str:
    if "](#" not in content and "@" not in content and "{:" not in content \
            and "\n##" not in content and not content.startswith("##"):
        return content
    lines = content.split("\n")
    in_fence = False
    depth = 0
    for n, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if depth:
            depth += line.count("{") - line.count("}")
            lines[n] = ""
            continue
        directive = _DOCC_DIRECTIVE.match(line)
        if directive:
            depth = 1 if directive.group("block") else 0
            lines[n] = ""
        elif _TOC_LINE.match(line):  # the headings' words stay ("Summary of Talk" lists)
            lines[n] = _ANCHOR_LINK.sub(r"\1", line)
        elif "{:" in line:
            lines[n] = _KRAMDOWN_ATTRIBUTES.sub("", line)
        elif line.startswith("##"):
            lines[n] = _TIGHT_HEADING.sub(r"\1 ", line)
    return "\n".join(lines)


def _wiki_headings(content: str) -> str:
    """MediaWiki headings become Markdown ones; text after the closing marks (the
    speakers) goes on the next line."""
    if "==" not in content:
        return content
    lines = content.split("\n")
    for n, line in enumerate(lines):
        match = _WIKI_HEADING.match(line)
        if match:
            rest = f"\n\n{match.group(3)}" if match.group(3) else ""
            lines[n] = f"## {match.group(2)}{rest}"
    return "\n".join(lines)


# "**A. Real-time Analytics with Deephaven**" or "**A1. Sovereign Tail Risk**" on a line of
# its own: a talk's title set in bold rather than as a heading, as some notes do. Lettered
# only: "**1. Install the tools**" is more often a step of one workshop than a talk.
_BOLD_TALK = re.compile(r"^\*\*(?P<text>[A-Z]\d{0,2}[.)]\s+[^*]+?)\*\*\s*$")
_ATX = re.compile(r"^(#{1,6})\s")
_FENCE = re.compile(r"^\s*(```|~~~)")


# A plain line that may head a talk in a programme's notes ("The State of Front-End
# Testing - Alicia Sedley, Front-End Developer at Acme"): no list, quote or heading mark.
_PLAIN_TALK = re.compile(r"^[A-Z0-9\"“'][^\n]{8,250}$")
_EMPTY_LINE = ("", "-", "*", "+")  # a blank line, or a bullet left empty
# Words at most in a talk's title line with its speaker and role (hand-set).
_TALK_LINE_WORDS = 30


def _plain_talk_headings(content: str) -> str:
    """In notes with one heading at most, three or more lines standing alone that name a
    title and its speaker ("Title - Jane Roe, role at Acme") become headings below it, so
    that a day's programme splits into its talks."""
    lines = content.split("\n")
    headings = [n for n, line in enumerate(lines) if _ATX.match(line)]
    if len(headings) > 1 or len(lines) > 20_000:
        return content
    level = len(_ATX.match(lines[headings[0]]).group(1)) if headings else 1  # type: ignore[union-attr]
    candidates: list[int] = []
    fenced = False
    for n, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or not _PLAIN_TALK.match(line) or len(line.split()) > _TALK_LINE_WORDS:
            continue
        alone = (n == 0 or lines[n - 1].strip() in _EMPTY_LINE) and (
            n + 1 >= len(lines) or not lines[n + 1].strip())
        if alone and re.search(r"\s[-–—|]\s", line):
            candidates.append(n)
    # Three or more that name a speaker with a known first name set the pattern; then
    # any name will do ("… - Yoav Weiss, …").
    if sum(bool(split_title(lines[n])[1]) for n in candidates) < 3:
        return content
    found = [n for n in candidates if split_title(lines[n], names_follow=True)[1]]
    for n in found:
        lines[n] = f"{'#' * min(level + 1, 6)} {lines[n].strip()}"
    return "\n".join(lines)


LIGHTNING = re.compile(r"lighti?ni?ng[ _-]?talks?", re.IGNORECASE)  # "Lightining" too
_TOP_BULLET = re.compile(r"^[-*+]\s+(?P<text>\S.{0,200})$")


def bullet_talks_as_headings(content: str) -> tuple[str, int]:
    """A file of lightning talks written as one outline: each top-level bullet with notes
    nested under it is a talk, and becomes a heading (with how many there were)."""
    lines = content.split("\n")
    talks = [n for n, line in enumerate(lines)
             if _TOP_BULLET.match(line) and n + 1 < len(lines)
             and lines[n + 1].startswith((" ", "\t")) and lines[n + 1].strip()]
    if len(talks) < 2:
        return content, 0
    for n in talks:
        match = _TOP_BULLET.match(lines[n])
        assert match is not None
        lines[n] = f"# {match.group('text').strip()}\n"
    return "\n".join(lines), len(talks)


def _bold_talk_headings(content: str) -> str:
    """Three or more lettered bold lines standing alone become headings one level below
    the heading they are under, so that an event's talks split as if written as headings."""
    if "**" not in content:
        return content
    lines = content.split("\n")
    found: list[tuple[int, int]] = []  # (line, level)
    level, fenced = 1, False
    for n, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced:
            continue
        if heading := _ATX.match(line):
            level = len(heading.group(1))
        elif (_BOLD_TALK.match(line) and (n == 0 or not lines[n - 1].strip())
              and (n + 1 >= len(lines) or not lines[n + 1].strip())):
            found.append((n, min(level + 1, 6)))
    if len(found) < 3:
        return content
    for n, depth in found:
        match = _BOLD_TALK.match(lines[n])
        assert match is not None
        lines[n] = f"{'#' * depth} {match.group('text').strip()}"
    return "\n".join(lines)


def headings_as_written(content: str) -> str:
    """``content`` with every layout above turned into headings and navigation blanked."""
    return _plain_talk_headings(_bold_talk_headings(_wiki_headings(_drop_navigation(content))))
