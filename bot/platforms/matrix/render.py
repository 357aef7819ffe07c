"""Command results as Matrix message content: ``m.notice`` with a plain body that reads
well alone and an HTML body in which every piece of note text is escaped."""

from __future__ import annotations

import html
import re
from itertools import groupby
from typing import Any, assert_never

from bot.answer.highlight import apply_marks
from bot.answer.models import Quote
from bot.commands.results import (
    Agenda,
    AnswerReply,
    HelpReply,
    Notice,
    ReloadReport,
    ReminderList,
    Reply,
    ReportReply,
    ScheduleReply,
    SessionList,
    SessionNotFound,
    SessionReply,
)
from bot.commands.text import (
    candidates,
    hedge_line,
    render_text,
    report_lines,
    schedule_text,
    see_also,
    session_byline,
)
from bot.schedule.timetext import slot_line

_LINK = re.compile(r"https?://\S+")
# A zero-width word joiner after "@" keeps "@room" in quoted notes from notifying a room.
_DEFUSE = "@\u2060"


def defuse(text: str) -> str:
    return text.replace("@room", _DEFUSE + "room")


def _esc(text: str) -> str:
    return html.escape(defuse(text), quote=True)


def _quote_html(quote: Quote) -> str:
    marked = apply_marks(quote.text, quote.marks, "<strong>", "</strong>", escape=_esc)
    return marked.replace("\n", "<br/>")


def _source_html(link: str) -> str:
    if link.startswith(("https://", "http://")):
        return f'<a href="{html.escape(link, quote=True)}">{_esc(link)}</a>'
    return f"<code>{_esc(link)}</code>"


def _answer_html(reply: AnswerReply) -> str | None:
    answer = reply.answer
    if not answer.answered or answer.best is None:
        return None
    best = answer.best
    parts = [f"<b>{_esc(best.session.title)}</b>"]
    byline = session_byline(best.session)
    if byline:
        parts.append(f"<br/><i>{_esc(byline)}</i>")
    parts.append(f"<blockquote>{_quote_html(best)}</blockquote>")
    parts.append(f"<p>Source: {_source_html(best.session.source_link)}</p>")
    if answer.hedged:  # after the quote, as in the plain body; then the other candidates
        parts.append(f"<p><i>{_esc(hedge_line(answer))}</i></p>")
        others = candidates(answer)
        if others:
            parts.append(_quotes_html(others))
        return "".join(parts)
    also = see_also(answer)
    if also:
        parts.append("<p>See also:</p>" + _quotes_html(also))
    return "".join(parts)


def _quotes_html(quotes: list[tuple[str, str]]) -> str:
    """(where, text) pairs as a list: the session in italics, the snippet quoted."""
    return "<ul>" + "".join(f"<li><i>{_esc(where)}</i>: “{_esc(text)}”</li>"
                            for where, text in quotes) + "</ul>"


def _session_html(reply: SessionReply) -> str:
    session = reply.session
    parts = [f"<b>{_esc(session.title)}</b>"]
    byline = session_byline(session)
    if byline:
        parts.append(f"<br/><i>{_esc(byline)}</i>")
    scheduled = slot_line(session.slot)
    if scheduled:
        parts.append(f"<br/>{_esc(scheduled)}")
    parts.append(f"<p>Source: {_source_html(session.source_link)} · "
                 f"{session.passage_count} passages</p>")
    for passage in reply.opening[:2]:
        parts.append(f"<blockquote>{_esc(passage.text).replace(chr(10), '<br/>')}"
                     "</blockquote>")
    return "".join(parts)


def _list_html(reply: SessionList) -> str | None:
    if not reply.total:
        return None
    head, *_ = render_text(reply).split("\n", 1)
    items = "".join(
        f"<li>{_esc(s.title)}"
        + (f" <i>({_esc(', '.join(s.speakers))})</i>" if s.speakers else "") + "</li>"
        for s in reply.sessions)
    return f"<p>{_esc(head)}</p><ul>{items}</ul>"


def _line_kind(line: str) -> str:
    return "item" if line.startswith("- ") else "quote" if line.startswith("> ") else "text"


def _schedule_html(reply: ScheduleReply) -> str | None:
    """A schedule answer: the plain text's lines, escaped and in their order, the first in
    bold ("Perhaps:" above a talk stays plain)."""
    answer = reply.answer
    if not answer.answered:
        return None
    lines = schedule_text(answer).split("\n")
    parts: list[str] = []
    if answer.hedged and len(lines) > 1 and lines[0] == "Perhaps:":
        parts.append(f"<i>{_esc(lines[0])}</i><br/>")
        lines = lines[1:]
    parts.append(f"<b>{_esc(lines[0])}</b>")
    for kind, group in groupby(lines[1:], key=_line_kind):
        raw = [line if kind == "text" else line[2:] for line in group]
        texts = [_esc(line) for line in raw]
        if kind == "item":
            parts.append("<ul>" + "".join(f"<li>{t}</li>" for t in texts) + "</ul>")
        elif kind == "quote":
            parts.append("<blockquote>" + "<br/>".join(texts) + "</blockquote>")
        else:  # after a block, a line starts on its own; after text, it needs a break
            after_block = parts[-1].endswith(("</ul>", "</blockquote>"))
            shown = [_source_html(line) if _LINK.fullmatch(line) else _esc(line)
                     for line in raw]  # the talk's page, as a link
            parts.append(("" if after_block else "<br/>") + "<br/>".join(shown))
    return "".join(parts)


def _report_html(reply: ReportReply) -> str:
    head, *rest = report_lines(reply.report, short=reply.short)
    if reply.note:
        rest.append(reply.note)
    items: list[str] = []
    parts = [f"<p>{_esc(head)}</p>"]
    for line in rest:
        if line.startswith("- "):
            items.append(f"<li>{_esc(line[2:])}</li>")
            continue
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
            items = []
        parts.append(f"<p>{_esc(line)}</p>")
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts)


def _html(reply: Reply) -> str | None:
    """The HTML body, or None where escaped plain text reads as well."""
    match reply:
        case AnswerReply():
            return _answer_html(reply)
        case SessionReply():
            return _session_html(reply)
        case SessionList():
            return _list_html(reply)
        case ReportReply():
            return _report_html(reply)
        case ScheduleReply():
            return _schedule_html(reply)
        case Notice() | ReloadReport() | SessionNotFound() | HelpReply() | ReminderList() \
                | Agenda():
            return None
        case _:
            assert_never(reply)


def render_content(reply: Reply) -> dict[str, Any]:
    """The ``content`` of the ``m.room.message`` event that answers."""
    body = defuse(render_text(reply))
    formatted = _html(reply)
    content: dict[str, Any] = {"msgtype": "m.notice", "body": body, "m.mentions": {}}
    if formatted is None:
        formatted = _esc(render_text(reply)).replace("\n", "<br/>")
    content["format"] = "org.matrix.custom.html"
    content["formatted_body"] = formatted
    return content


def reply_relation(event_id: str, thread_root: str | None) -> dict[str, Any]:
    """A reply to the asker's message; inside a thread, it stays in the thread."""
    if thread_root:
        return {"rel_type": "m.thread", "event_id": thread_root, "is_falling_back": False,
                "m.in_reply_to": {"event_id": event_id}}
    return {"m.in_reply_to": {"event_id": event_id}}
