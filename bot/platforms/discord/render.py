"""Command results as Discord messages: embeds, escaped markdown, and Discord's limits.

Notes are not our markup, so their text is escaped before matched words are put in bold;
everything is cut cleanly with "…" so that Discord never rejects a reply for its length.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import assert_never

import discord
from discord import app_commands
from discord.utils import escape_markdown

from bot.answer.highlight import apply_marks
from bot.commands import table
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
    DECLINE,
    agenda_text,
    candidates,
    elsewhere_line,
    list_text,
    reload_text,
    report_lines,
    schedule_heading,
    see_also,
    session_byline,
    several_line,
)
from bot.reminders.text import list_lines
from bot.schedule.programme import Talk
from bot.schedule.timetext import talk_when
from bot.search.index import SessionRecord

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
CHOICES_LIMIT = 25
CHOICE_LIMIT = 100
ELLIPSIS = "…"

# Notes may contain @everyone or role mentions: nothing we send may ping anyone.
NO_MENTIONS = discord.AllowedMentions.none()

FAILURE = "Sorry, something went wrong on my side; the error has been logged."
NOT_YOUR_LIST = "This list belongs to someone else; run /sessions to get your own."
NOT_YOUR_REMINDERS = "These are someone else's reminders; run /reminders to see yours."
REMINDER_LINE_LIMIT = 190  # a listed reminder, escaped: 20 of them within a description
REPORT_ATTACHED = "The full report is attached."
REPORT_FILENAME = "reload-report.txt"
SCHEDULE_HEDGE = "Perhaps this talk; the schedule has no exact match:"
# A hedged notes answer: its quote as a sure one is shown, then, as a field below it, the
# other candidates under this name (or, with none, the caveat alone)
HEDGE_FIELD = "Not sure? Perhaps:"
HEDGE_ALONE_FIELD = "Not sure?"
HEDGE_ALONE_VALUE = "This passage may not answer the question."
ASKED_CHARS = 300  # of the question shown in "Asked: …" above an answer

Spans = tuple[tuple[int, int], ...]


@dataclass(slots=True)
class Message:
    """One reply, ready for any of discord.py's send/edit calls."""

    content: str | None = None
    embed: discord.Embed | None = None
    ephemeral: bool = True
    # (filename, content): a report too long for a message (text), an agenda's .ics (bytes)
    attachment: tuple[str, str | bytes] | None = None

    def file(self) -> discord.File | None:
        if self.attachment is None:
            return None
        name, content = self.attachment
        data = content.encode("utf-8") if isinstance(content, str) else content
        return discord.File(io.BytesIO(data), filename=name)


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word boundary near the end, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > (limit - 1) * 4 // 5:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def _marked(text: str, spans: Spans) -> str:
    return apply_marks(text, spans, "**", "**", escape_markdown)


def fit(raw: str, limit: int, spans: Spans = ()) -> str:
    """Escaped ``raw`` with ``spans`` in bold, within ``limit`` characters *after* escaping.

    The raw text is cut (never the markup), so a cut can't leave a dangling ``**`` or ``\\``.
    """
    full = _marked(raw, spans)
    if len(full) <= limit:
        return full

    def render(n: int) -> str:
        kept = tuple((s, min(e, n)) for s, e in spans if s < n)
        return _marked(raw[:n].rstrip(), kept) + ELLIPSIS

    lo, hi = 0, len(raw)
    while lo < hi:  # the longest raw prefix whose rendering fits
        mid = (lo + hi + 1) // 2
        if len(render(mid)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    boundary = max((m.start() for m in re.finditer(r"\s", raw[:lo])), default=-1)
    if boundary > lo * 4 // 5:
        lo = boundary
    return render(lo)


def _budgeted_embed(title: str, url: str | None, body: str, spans: Spans,
                    fields: Sequence[tuple[str, str, bool]], footer: str) -> discord.Embed:
    """An embed whose every part, and whose total, is within Discord's limits."""
    embed = discord.Embed(title=fit(title, TITLE_LIMIT), url=url)
    for name, value, inline in list(fields)[:FIELDS_LIMIT]:
        embed.add_field(name=clip(name, FIELD_NAME_LIMIT), value=clip(value, FIELD_VALUE_LIMIT),
                        inline=inline)
    if footer:
        embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    room = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(embed))
    if body and room > 1:
        embed.description = fit(body, room, spans)
    return embed


def _web_url(session: SessionRecord) -> str | None:
    url = session.url
    if url and re.match(r"https?://\S+$", url) and len(url) <= FIELD_VALUE_LIMIT:
        return url
    return None


def _source(session: SessionRecord) -> str:
    """The talk's link as is (escaping would break it), else the notes file, escaped."""
    return _web_url(session) or fit(session.source, FIELD_VALUE_LIMIT)


def answer_message(reply: AnswerReply) -> Message:
    answer = reply.answer
    best = answer.best
    if not answer.answered or best is None:
        text = DECLINE
        if answer.several:
            text = several_line(answer.nearest, [escape_markdown(s.title)
                                                 for s in answer.nearest])
        elif answer.nearest:
            names = "; ".join(escape_markdown(s.title) for s in answer.nearest[:3])
            text += f" The closest sessions are: {names}."
        return Message(content=clip(text, CONTENT_LIMIT), ephemeral=True)
    session = best.session
    fields = [("Source", _source(session), False)]
    others = candidates(answer) if answer.hedged else see_also(answer)
    # two lines of at most 120 + 380 escaped characters: within a field's 1,024
    listed = "\n".join(f"• *{fit(where, 120)}*: “{fit(text, 380)}”"
                        for where, text in others[:2])
    if answer.hedged and answer.elsewhere:  # the named summit had nothing: say so
        fields.append((fit(elsewhere_line(answer.elsewhere), FIELD_NAME_LIMIT),
                       listed or HEDGE_ALONE_VALUE, False))
    elif answer.hedged:  # below the quote, so the answer's first line is never the caveat
        fields.append((HEDGE_FIELD, listed, False) if listed
                      else (HEDGE_ALONE_FIELD, HEDGE_ALONE_VALUE, False))
    elif listed:
        fields.append(("See also", listed, False))
    embed = _budgeted_embed(session.title, _web_url(session), best.text, best.marks, fields,
                            session_byline(session))
    # the channel sees the answer, not the slash command's argument: say what was asked
    return Message(content=_asked(answer.question), embed=embed, ephemeral=reply.ephemeral)


def _asked(question: str) -> str | None:
    """"Asked: …", the question escaped and cut (well within a message's 2,000 characters);
    nothing when no question was typed. Mentions in it never ping: every message is sent
    with ``NO_MENTIONS``."""
    question = " ".join(question.split())
    return f"Asked: {fit(question, ASKED_CHARS)}" if question else None


def stamp(talk: Talk, rehearsal: datetime | None = None) -> str:
    """Discord's own time stamps: the full date and time, and how far away it is, each in
    the reader's zone and language. While rehearsing (a clock set to ``rehearsal``), the
    time written out and the bot's own "in 25 min": a reader's client would count the
    stamp from the real date."""
    if rehearsal is not None:
        return escape_markdown(talk_when(talk, rehearsal))
    unix = int(talk.start.timestamp())
    return f"<t:{unix}:F> (<t:{unix}:R>)"


def _talk_line(talk: Talk, rehearsal: datetime | None = None) -> str:
    """"**Title** — Speakers · <t:…:F> (<t:…:R>) · Room", escaped where it is text."""
    line = f"**{fit(talk.title, 200)}**" + (" (cancelled)" if talk.cancelled else "")
    if talk.record.speakers:
        line += " — " + fit(", ".join(talk.record.speakers), 120)
    line += " · " + stamp(talk, rehearsal)
    if talk.room:
        line += " · " + fit(talk.room, 80)
    return line


def schedule_message(reply: ScheduleReply) -> Message:
    """A talk as an embed (time, room, speakers, its abstract), or a list of talks."""
    answer = reply.answer
    if not answer.answered:
        text = escape_markdown(answer.empty or "That is not in the schedule.")
        if answer.nearest:
            text += " Closest: " + "; ".join(escape_markdown(clip(t, 200))
                                             for t in answer.nearest[:3]) + "."
        return Message(content=clip(text, CONTENT_LIMIT), ephemeral=True)
    # "Asked: …" shows a typed question (the channel sees the answer, not /ask's argument);
    # /now, /next, /schedule and /speaker show their options in Discord's own header
    asked = _asked(answer.question) if not answer.command else None
    rehearsal = answer.now if answer.rehearsal else None
    if answer.kind in ("when", "where", "who"):
        talk = answer.talks[0]
        fields = [("When", stamp(talk, rehearsal), False)]
        if talk.room:
            fields.append(("Room", fit(talk.room, FIELD_VALUE_LIMIT), True))
        if talk.track:
            fields.append(("Track", fit(talk.track, FIELD_VALUE_LIMIT), True))
        if talk.cancelled:
            fields.append(("Status", "Cancelled", True))
        if answer.alternatives:
            fields.append(("Or perhaps", "\n".join(_talk_line(t, rehearsal)
                                                   for t in answer.alternatives[:2]), False))
        byline = " · ".join([", ".join(talk.record.speakers), *(x for x in (
            talk.summit,) if x)]).strip(" ·")
        embed = _budgeted_embed(talk.title, _web_url(talk.record), answer.abstract or "", (),
                                fields, byline)
        if answer.hedged:  # said before the embed, as on Matrix and for the notes
            asked = f"{asked}\n{SCHEDULE_HEDGE}" if asked else SCHEDULE_HEDGE
        return Message(content=asked, embed=embed, ephemeral=reply.ephemeral)
    # Discord shows <t:…> stamps as written in a title (it renders them only in a
    # description and in field values): the title keeps the zone-written time and its room
    head = schedule_heading(answer).rstrip(":") or "Schedule"
    lines: list[str] = []
    used = 0
    for talk in answer.talks:
        line = _talk_line(talk, rehearsal)
        if used + len(line) + 1 > DESCRIPTION_LIMIT - 200:
            lines.append(f"{ELLIPSIS} and {len(answer.talks) - len(lines)} more")
            break
        lines.append(line)
        used += len(line) + 1
    embed = discord.Embed(title=clip(escape_markdown(head), TITLE_LIMIT),
                          description="\n".join(lines))
    return Message(content=asked, embed=embed, ephemeral=reply.ephemeral)


def session_message(reply: SessionReply) -> Message:
    session = reply.session
    body = "\n\n".join(p.text for p in reply.opening)
    fields = [("Source", _source(session), False),
              ("Passages", str(session.passage_count), True)]
    slot = session.slot
    if slot is not None and slot.start:
        unix = int(datetime.fromisoformat(slot.start).timestamp())
        when = f"<t:{unix}:F> (<t:{unix}:R>)" + (" — cancelled" if slot.cancelled else "")
        fields[1:1] = [("When", when, False)]
        if slot.room:
            fields.append(("Room", fit(slot.room, FIELD_VALUE_LIMIT), True))
        if session.track:
            fields.append(("Track", fit(session.track, FIELD_VALUE_LIMIT), True))
    embed = _budgeted_embed(session.title, _web_url(session), body, (), fields,
                            session_byline(session))
    return Message(embed=embed, ephemeral=reply.ephemeral)


def not_found_message(reply: SessionNotFound) -> Message:
    query = escape_markdown(clip(reply.query.strip(), 100))
    if reply.ambiguous:
        names = "; ".join(escape_markdown(clip(t, 200)) for t in reply.suggestions[:5])
        text = f"Several sessions are called “{query}”; pick one: {names}."
    elif reply.suggestions:
        names = "; ".join(escape_markdown(clip(t, 200)) for t in reply.suggestions[:3])
        text = f"No session is called “{query}”; did you mean: {names}?"
    else:
        text = f"No session is called “{query}”; /sessions lists them."
    return Message(content=clip(text, CONTENT_LIMIT), ephemeral=True)


def list_message(reply: SessionList) -> Message:
    text = list_text(reply)
    if not reply.total:
        return Message(content=clip(escape_markdown(text), CONTENT_LIMIT), ephemeral=True)
    head, _, body = text.partition("\n")
    embed = _budgeted_embed(head.rstrip(":"), None, body, (), (), "")
    return Message(embed=embed, ephemeral=reply.ephemeral)


def reload_message(report: ReloadReport) -> Message:
    """What changed and every file that failed; the full text is attached if it is long."""
    text = reload_text(report, max_problems=max(1, len(report.problems), len(report.warnings)))
    escaped = escape_markdown(text)
    if len(escaped) <= CONTENT_LIMIT:
        return Message(content=escaped, ephemeral=True)
    tail = f"\n{ELLIPSIS}\n{REPORT_ATTACHED}"
    kept: list[str] = []
    used = len(tail)
    for line in escaped.split("\n"):
        if used + len(line) + 1 > CONTENT_LIMIT:
            break
        kept.append(line)
        used += len(line) + 1
    if not kept:  # one enormous first line
        kept = [clip(escaped.split("\n", 1)[0], CONTENT_LIMIT - len(tail))]
    return Message(content="\n".join(kept) + tail, ephemeral=True,
                   attachment=(REPORT_FILENAME, text + "\n"))


def notice_message(notice: Notice) -> Message:
    return Message(content=clip(notice.text, CONTENT_LIMIT), ephemeral=notice.ephemeral)


def help_message(reply: HelpReply) -> Message:
    public = [f"/{c.name}" for c in table.COMMANDS if c.slash and not c.admin]
    listed = ", ".join(public[:-1]) + f" and {public[-1]}" if len(public) > 1 else public[0]
    return Message(content=(
        f"I answer questions from the notes of {reply.sessions} sessions, quoting them: "
        f"use {listed}, or mention me followed by a question."), ephemeral=True)


PAGE_CHARS = 1900  # a report page, within a message's 2,000 characters


def report_pages(reply: ReportReply) -> list[str]:
    """The report cut into pages at line ends, each escaped and within a message."""
    pages: list[str] = []
    page: list[str] = []
    used = 0
    for line in report_lines(reply.report, short=reply.short):
        line = clip(escape_markdown(line), PAGE_CHARS)
        if page and used + len(line) + 1 > PAGE_CHARS:
            pages.append("\n".join(page))
            page, used = [], 0
        page.append(line)
        used += len(line) + 1
    pages.append("\n".join(page))
    return [f"{text}\n(page {n} of {len(pages)})" if len(pages) > 1 else text
            for n, text in enumerate(pages, start=1)]


def report_message(reply: ReportReply) -> Message:
    return Message(content=report_pages(reply)[0], ephemeral=True)


def failure_message() -> Message:
    return Message(content=FAILURE, ephemeral=True)


def render(result: Reply) -> Message:
    """Any command result as a Discord message."""
    match result:
        case AnswerReply():
            return answer_message(result)
        case ScheduleReply():
            return schedule_message(result)
        case SessionReply():
            return session_message(result)
        case SessionNotFound():
            return not_found_message(result)
        case SessionList():
            return list_message(result)
        case ReloadReport():
            return reload_message(result)
        case Notice():
            return notice_message(result)
        case HelpReply():
            return help_message(result)
        case ReportReply():
            return report_message(result)
        case ReminderList():
            return reminder_list_message(result)
        case Agenda():
            return agenda_message(result)
        case _:
            assert_never(result)


def post_text(text: str) -> str:
    """Plain text as Discord markdown: every line escaped but a list item's own "- ", cut
    at a line within a message's length (never inside an escape)."""
    lines = [("- " + escape_markdown(line[2:])) if line.startswith("- ")
             else escape_markdown(line) for line in text.split("\n")]
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > CONTENT_LIMIT - 2:
            if kept:
                kept.append(ELLIPSIS)
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept) or fit(text, CONTENT_LIMIT)  # one enormous first line: cut it


def reminder_list_message(reply: ReminderList, note: str | None = None) -> Message:
    """A page of a person's reminders, numbered as its "Cancel N" buttons are (the view is
    built by ``reminder_view``); ``note`` says what a button press just did."""
    first = reply.page * reply.per_page + 1
    lines = [fit(line, REMINDER_LINE_LIMIT) for line in list_lines(reply.shown, first)]
    count = len(reply.reminders)
    embed = discord.Embed(title=f"Your reminders ({count}), soonest first",
                          description="\n".join(lines))
    footer = "Press Cancel N to cancel reminder N."
    if reply.pages > 1:
        footer = f"Page {reply.page + 1} of {reply.pages} · {footer}"
    embed.set_footer(text=footer)
    content = clip(escape_markdown(note), CONTENT_LIMIT) if note else None
    return Message(content=content, embed=embed, ephemeral=True)


def agenda_message(reply: Agenda) -> Message:
    """The agenda as text, and its .ics file attached when asked for."""
    attachment = (reply.filename, reply.ics) if reply.ics is not None else None
    return Message(content=post_text(agenda_text(reply)), ephemeral=True,
                   attachment=attachment)


def choices(options: Sequence[str | tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices: at most 25, name and value at most 100 characters each. An
    option is a text (sent as shown) or a (shown, sent) pair: a talk is sent as its key,
    which is never longer than 100 characters (bot/reminders/models.py)."""
    out: list[app_commands.Choice[str]] = []
    for option in options[:CHOICES_LIMIT]:
        shown, sent = (option, option) if isinstance(option, str) else option
        out.append(app_commands.Choice(name=clip(shown, CHOICE_LIMIT),
                                       value=clip(sent, CHOICE_LIMIT)))
    return out
