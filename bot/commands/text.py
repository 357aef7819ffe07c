"""Plain-text rendering of command results: the console, and Matrix's ``body``."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import assert_never

from bot.answer.highlight import apply_marks, snippet
from bot.answer.models import Answer, Quote
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
from bot.commands.table import EXAMPLE_QUESTION
from bot.feedback.report import FeedbackReport
from bot.reminders.text import list_lines
from bot.schedule.answer import ScheduleAnswer
from bot.schedule.programme import Talk
from bot.schedule.timetext import clock_text, slot_line, talk_when
from bot.search.index import SessionRecord

DECLINE = "The notes don't cover that."
SEVERAL = "Several sessions match that; ask about one of them by name:"
# A hedged answer shows its best passage as a sure one is shown, then says, after it, that
# it may not be the answer, and offers the other candidates: a reader picks.
HEDGE = "Not sure that answers it; perhaps one of these:"
HEDGE_ALONE = "Not sure that answers it."  # a hedged answer with no other candidate


def session_byline(session: SessionRecord) -> str:
    """"Speakers · Summit · date · track", with whatever the notes give."""
    parts = []
    if session.speakers:
        parts.append(", ".join(session.speakers))
    for extra in (session.summit, session.date, session.track):
        if extra:
            parts.append(extra)
    return " · ".join(parts)


def see_also(answer: Answer) -> list[tuple[str, str]]:
    """(where, snippet) for each alternative: its session's title, or "this session"."""
    best = answer.best
    out = []
    for quote in answer.alternatives:
        same = best is not None and quote.session.id == best.session.id
        out.append(("this session" if same else quote.session.title, snippet(quote.text)))
    return out


def candidates(answer: Answer) -> list[tuple[str, str]]:
    """(where, snippet) for each other candidate of a hedged answer: its session's title,
    or where it is in the best passage's session ("Further on in this session")."""
    best = answer.best
    out = []
    for quote in answer.alternatives:
        if best is not None and quote.session.id == best.session.id:
            where = ("Earlier in this session" if quote.passage.position < best.passage.position
                     else "Further on in this session")
        else:
            where = quote.session.title
        out.append((where, snippet(quote.text)))
    return out


def hedge_line(answer: Answer) -> str:
    """What a hedged answer says after its quote: short, and never its first line."""
    if answer.elsewhere:
        return elsewhere_line(answer.elsewhere) + (
            "; perhaps one of these:" if answer.alternatives else ".")
    return HEDGE if answer.alternatives else HEDGE_ALONE


def elsewhere_line(words: str) -> str:
    """That the summit the question named ("at KubeCon") had nothing that matched."""
    named = f"from {words}" if words.lower().startswith("the ") else words
    return f"Nothing {named} matched, so this is from other notes"


def several_line(sessions: Sequence[SessionRecord], titles: Sequence[str] | None = None
                 ) -> str:
    """The reply to a question that names what several sessions share: which ones, and
    how to ask about one (``titles``: the names as the platform shows them)."""
    names = titles if titles is not None else [s.title for s in sessions]
    return "\n".join([SEVERAL, *(f"- {name}" for name in names)])


def quote_text(quote: Quote, mark: tuple[str, str] = ("**", "**")) -> str:
    return apply_marks(quote.text, quote.marks, *mark)


def answer_text(answer: Answer, mark: tuple[str, str] = ("**", "**")) -> str:
    if not answer.answered or answer.best is None:
        if answer.several:
            return several_line(answer.nearest)
        lines = [DECLINE]
        if answer.nearest:
            lines.append("Closest sessions: " + "; ".join(s.title for s in answer.nearest))
        return "\n".join(lines)
    best = answer.best
    lines = [best.session.title]
    byline = session_byline(best.session)
    if byline:
        lines.append(byline)
    lines.extend("> " + line for line in quote_text(best, mark).split("\n"))
    lines.append(f"Source: {best.session.source_link}")
    if answer.hedged:  # after the quote: the first line is always what is quoted
        lines.append(hedge_line(answer))
        lines.extend(f"- {where}: “{text}”" for where, text in candidates(answer))
        return "\n".join(lines)
    for where, text in see_also(answer):
        lines.append(f"See also ({where}): “{text}”")
    return "\n".join(lines)


def reload_text(report: ReloadReport, max_problems: int = 10) -> str:
    if report.ok:
        head = (f"Reloaded in {report.seconds:.1f} s: {report.sessions_after} sessions "
                f"({report.sessions_after - report.sessions_before:+d}), "
                f"{report.passages_after} passages "
                f"({report.passages_after - report.passages_before:+d}); "
                f"{len(report.added)} added, {len(report.changed)} changed, "
                f"{len(report.removed)} removed.")
    else:
        head = (f"Reload failed: {report.error}. The previous index "
                f"({report.sessions_before} sessions) is still serving.")
    lines = [head]
    for label, titles in (("Added", report.added), ("Changed", report.changed),
                          ("Removed", report.removed)):
        if titles:
            shown = "; ".join(titles[:10]) + (f"; and {len(titles) - 10} more"
                                              if len(titles) > 10 else "")
            lines.append(f"{label}: {shown}")
    if report.schedule_changes:
        lines.append(f"Schedule changes ({len(report.schedule_changes)}):")
        lines.extend(f"- {change}" for change in report.schedule_changes[:max_problems])
        if len(report.schedule_changes) > max_problems:
            lines.append(f"- and {len(report.schedule_changes) - max_problems} more")
    if report.problems:
        lines.append(f"{len(report.problems)} file(s) could not be used:")
        for path, reason in report.problems[:max_problems]:
            lines.append(f"- {path}: {reason}")
        if len(report.problems) > max_problems:
            lines.append(f"- and {len(report.problems) - max_problems} more")
    for path, reason in report.warnings[:max_problems]:
        lines.append(f"- warning, {path}: {reason}")
    return "\n".join(lines)


def session_text(reply: SessionReply) -> str:
    session = reply.session
    lines = [session.title]
    byline = session_byline(session)
    if byline:
        lines.append(byline)
    scheduled = slot_line(session.slot)
    if scheduled:
        lines.append(scheduled)
    lines.append(f"Source: {session.source_link} · {session.passage_count} passages")
    for passage in reply.opening[:2]:
        lines.extend("> " + line for line in passage.text.split("\n"))
    return "\n".join(lines)


def not_found_text(reply: SessionNotFound) -> str:
    if reply.ambiguous:
        return (f"Several sessions are called “{reply.query}”; ask for one of: "
                + "; ".join(reply.suggestions) + ".")
    if reply.suggestions:
        return (f"No session is called “{reply.query}”. Did you mean: "
                + "; ".join(reply.suggestions) + "?")
    return f"No session is called “{reply.query}”; list them with `sessions`."


def list_text(reply: SessionList) -> str:
    if not reply.total:
        return (f"No session matches “{reply.query}”." if reply.query
                else "There are no sessions in the index.")
    head = f"{reply.total} session(s)" + (f" matching “{reply.query}”" if reply.query else "")
    if reply.pages > 1:
        head += f", page {reply.page + 1} of {reply.pages}"
    lines = [head + ":"]
    for session in reply.sessions:
        by = f" ({', '.join(session.speakers)})" if session.speakers else ""
        lines.append(f"- {session.title}{by}")
    return "\n".join(lines)


def help_text(reply: HelpReply) -> str:
    """What the bot does, then one line per command of the command table."""
    p = reply.prefix
    lines = [f"I answer questions from the notes of {reply.sessions} sessions, quoting them."]
    for command in table.COMMANDS:
        if command.name == "help":
            continue
        line = f"{command.usage(p)} — {command.summary.rstrip('.')}"
        if command.name == "ask":
            line += f", e.g. {p}ask {EXAMPLE_QUESTION}"
        lines.append(line)
    lines.append("Or mention me, followed by a question.")
    return "\n".join(lines)


def _day(when: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(when))


def report_lines(report: FeedbackReport, short: bool = False) -> list[str]:
    """The organizers' report, one line per fact; ``short``: the figures only."""
    days = f"{report.since_days:g} day{'s' if report.since_days != 1 else ''}"
    lines = [f"In the last {days}: {report.questions} question(s) — {report.answered} "
             f"answered, {report.hedged} hedged, {report.declined} declined; votes: "
             f"{report.votes_up} helpful, {report.votes_down} not it."]
    r = report.reminders
    if r.get("asked") or r.get("pending"):
        late = f" ({r['late']} late: due while the bot was down)" if r.get("late") else ""
        lines.append(
            f"Reminders: {r.get('asked', 0)} asked, {r.get('sent', 0) + r.get('late', 0)} "
            f"sent{late}, {r.get('cancelled', 0)} cancelled by their owners, "
            f"{r.get('notified', 0)} told their talk was cancelled, "
            f"{r.get('moved', 0)} that it moved, "
            f"{r.get('refused', 0) + r.get('dropped', 0)} not delivered; "
            f"{r.get('pending', 0)} pending.")
    if short:
        return lines
    if report.unanswered:
        lines.append("Not answered (declined, or only a hedged guess), most asked first:")
        for item in report.unanswered:
            times = f" ×{item.count}" if item.count > 1 else ""
            near = f" — closest: {'; '.join(item.nearest)}" if item.nearest else ""
            lines.append(f"- “{item.question}”{times} ({item.outcome}, last "
                         f"{_day(item.last_asked)}){near}")
    if report.downvoted:
        lines.append("Answers voted “Not it”:")
        for down in report.downvoted:
            asked = f"“{down.question}”" if down.question else "(asked in a direct chat)"
            quoted = f": “{snippet(down.passage)}”" if down.passage else ""
            lines.append(f"- {asked} → {down.session or '?'}{quoted} "
                         f"({down.up} helpful, {down.down} not it)")
    if not report.unanswered and not report.downvoted:
        lines.append("Nothing unanswered or voted down.")
    return lines


def report_text(reply: ReportReply) -> str:
    lines = report_lines(reply.report, short=reply.short)
    return "\n".join([*lines, reply.note] if reply.note else lines)


def reminders_text(reply: ReminderList) -> str:
    """All of a person's reminders, numbered as ``unremind N`` counts them."""
    count = len(reply.reminders)
    lines = [f"Your reminders ({count}), soonest first:",
             *list_lines(reply.reminders),
             f"Cancel one with {reply.how_to_cancel}."]
    return "\n".join(lines)


def agenda_text(reply: Agenda) -> str:
    """The talks a person picked, by day, in time order."""
    lines = ["Your agenda:"]
    day = None
    for reminder in reply.reminders:
        local = reminder.local_start()
        if local.date() != day:
            day = local.date()
            lines.append(f"{local:%A} {local.day} {local:%B}")
        lines.append(f"- {local:%H:%M} {reminder.title}"
                     + (f" · {reminder.room}" if reminder.room else ""))
    if reply.ics is not None:
        lines.append(f"(The calendar file is attached as {reply.filename}.)")
    return "\n".join(lines)


def render_text(reply: Reply) -> str:
    """Any command result as plain text."""
    match reply:
        case AnswerReply():
            return answer_text(reply.answer)
        case ScheduleReply():
            return schedule_text(reply.answer)
        case Notice():
            return reply.text
        case ReloadReport():
            return reload_text(reply)
        case SessionReply():
            return session_text(reply)
        case SessionNotFound():
            return not_found_text(reply)
        case SessionList():
            return list_text(reply)
        case HelpReply():
            return help_text(reply)
        case ReportReply():
            return report_text(reply)
        case ReminderList():
            return reminders_text(reply)
        case Agenda():
            return agenda_text(reply)
        case _:
            assert_never(reply)


def talk_line(talk: Talk, now: datetime, when: bool = True) -> str:
    """One talk: "Title — Speakers · Sat 28 Dec 16:00 CET (UTC+01:00) · in 25 min · Room"."""
    parts = [talk.title + (" (cancelled)" if talk.cancelled else "")]
    if talk.record.speakers:
        parts[0] += " — " + ", ".join(talk.record.speakers)
    if when:
        parts.append(talk_when(talk, now))
    if talk.room:
        parts.append(talk.room)
    return " · ".join(parts)


def schedule_heading(answer: ScheduleAnswer) -> str:
    """What a schedule answer is about, in one line."""
    where = f" in {answer.scope}" if answer.scope and answer.kind != "speaker" else ""
    count = len(answer.talks)
    if answer.kind == "speaker":
        return f"{answer.scope}'s talk{'s' if count != 1 else ''}:"
    if answer.kind == "next":
        return f"Next{where}:"
    if answer.kind in ("now", "at") and answer.moment is not None:
        at = "now" if answer.moment == answer.now else f"at {clock_text(answer.moment)}"
        return f"On {at}{where}:"
    if answer.kind == "day":
        return f"Scheduled{where}:"
    if answer.kind == "topic":
        return f"In the schedule{where}:"
    return ""


def schedule_text(answer: ScheduleAnswer) -> str:
    """A schedule answer as plain text."""
    now = answer.now
    if not answer.answered:
        lines = [answer.empty or "That is not in the schedule."]
        if answer.nearest:
            lines.append("Closest: " + "; ".join(answer.nearest))
        return "\n".join(lines)
    if answer.kind in ("when", "where", "who"):
        talk = answer.talks[0]
        lines = ["Perhaps:"] if answer.hedged else []
        lines.append(talk.title + (" (cancelled)" if talk.cancelled else ""))
        byline = [", ".join(talk.record.speakers)] if talk.record.speakers else []
        byline += [x for x in (talk.summit, talk.track) if x]
        if byline:
            lines.append(" · ".join(byline))
        lines.append(" · ".join([talk_when(talk, now), *([talk.room] if talk.room else [])]))
        if talk.record.url:
            lines.append(talk.record.url)
        if answer.abstract:
            lines.extend("> " + line for line in snippet(answer.abstract, 300).split("\n"))
        for other in answer.alternatives:
            lines.append(f"Or: {talk_line(other, now)}")
        return "\n".join(lines)
    lines = [schedule_heading(answer)]
    lines.extend(f"- {talk_line(t, now)}" for t in answer.talks)
    return "\n".join(lines)
