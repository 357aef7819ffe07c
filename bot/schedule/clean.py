"""Abstracts and bios as exports carry them (HTML, entity-escaped HTML, Markdown, CRLF),
turned into plain text that reads well when quoted in a chat answer."""

from __future__ import annotations

import html
import re

from bot.corpus.text import clean_text

# Tags that end a line or a paragraph, so that paragraphs survive tag stripping.
_PARAGRAPH_TAG = re.compile(r"</(?:p|div|ul|ol|h[1-6]|blockquote|pre|table|tr)\s*>",
                            re.IGNORECASE)
_LINE_TAG = re.compile(r"<(?:br|hr)\s*/?>|<(?:h[1-6]|tr)(?:\s[^<>]*)?>",
                       re.IGNORECASE)
_ITEM_TAG = re.compile(r"<li(?:\s[^<>]*)?>", re.IGNORECASE)
# Markdown. Every pattern is bounded to one line (or a few hundred characters), so that a
# hostile abstract cannot make a lazy match rescan the text: linear time.
_IMAGE = re.compile(r"!\[[^\[\]\n]{0,500}\]\([^()\s]{0,2000}(?:\([^()\s]*\)[^()\s]*)?"
                    r"(?:\s+\"[^\"\n]{0,500}\")?\)")
_LINK = re.compile(r"\[([^\[\]\n]{1,500})\]\(\s{0,3}[^()\s]{0,2000}(?:\([^()\s]*\)[^()\s]*)?"
                   r"(?:\s+\"[^\"\n]{0,500}\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^\s<>]{1,2000})>", re.IGNORECASE)
_REFERENCE_LINK = re.compile(r"\[([^\[\]\n]{1,500})\]\[[^\[\]\n]{0,100}\]")
_REFERENCE_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\[\]\n]{1,100}\]:[ \t]*\S+.*$",
                                   re.MULTILINE)
_STRONG_STARS = re.compile(r"\*\*(?=[^\s*])([^*\n]{1,500}?)(?<=\S)\*\*")
# "__init__" and "__main__" are Python names, not bold: an all-lowercase word stays.
_STRONG_UNDERSCORES = re.compile(r"(?<!\w)__(?![a-z][a-z0-9]*__)(?=[^\s_])([^_\n]{1,500}?)"
                                 r"(?<=\S)__(?!\w)")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+|$)", re.MULTILINE)
_RULE = re.compile(r"^[ \t]*(?:[-*_=][ \t]*){3,}$|^[ \t]*```.*$", re.MULTILINE)
_RULE_MARKS = ("---", "***", "___", "===", "```")
_BULLET = re.compile(r"^[*+•][ \t]+", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_abstract(text: str | None) -> str:
    """Plain text with its paragraphs and "- item" bullets, and no markup."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:  # FOSDEM's "&lt;p&gt;Hello&lt;/p&gt;" is HTML once unescaped
        text = html.unescape(text)
    if "<" in text:
        text = _PARAGRAPH_TAG.sub("\n\n", text)
        text = _LINE_TAG.sub("\n", text)
        text = _ITEM_TAG.sub("\n- ", text)
        text = _AUTOLINK.sub(r"\1", text)
    text = clean_text(text, html_text=True)
    if "](" in text:
        text = _IMAGE.sub("", text)
        text = _LINK.sub(r"\1", text)
    if "][" in text:
        text = _REFERENCE_LINK.sub(r"\1", text)
    if "]:" in text:
        text = _REFERENCE_DEFINITION.sub("", text)
    if "**" in text:
        text = _STRONG_STARS.sub(r"\1", text)
    if "__" in text:
        text = _STRONG_UNDERSCORES.sub(r"\1", text)
    if "#" in text:
        text = _HEADING.sub("", text)
    if any(mark in text for mark in _RULE_MARKS):
        text = _RULE.sub("", text)
    # Each line trimmed, and the double spaces a removed image or marker left, undone;
    # plain string methods, as these run on every abstract and bio of an export.
    text = "\n".join(line.strip() for line in text.split("\n"))
    while "  " in text:
        text = text.replace("  ", " ")
    if "* " in text or "+ " in text or "•" in text:
        text = _BULLET.sub("- ", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
