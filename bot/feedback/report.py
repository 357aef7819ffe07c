"""The organizers' report: what was asked, what the notes did not answer, what was voted
down, and those questions as a question file for ``summit-bot eval``."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml
from rapidfuzz import fuzz

SAME_QUESTION = 90  # rapidfuzz ratio from which two normalised questions are one
MAX_LISTED = 50


@dataclass(frozen=True, slots=True)
class Unanswered:
    question: str
    count: int
    last_asked: float  # unix time
    nearest: list[str]
    outcome: str  # declined, or hedged (the closest passage, said to maybe not answer)


@dataclass(frozen=True, slots=True)
class Downvoted:
    question: str | None  # None when asked in a direct chat
    session: str | None
    passage: str | None
    up: int
    down: int


@dataclass(slots=True)
class FeedbackReport:
    since_days: float
    questions: int = 0
    answered: int = 0
    hedged: int = 0
    declined: int = 0
    votes_up: int = 0
    votes_down: int = 0
    unanswered: list[Unanswered] = field(default_factory=list)
    downvoted: list[Downvoted] = field(default_factory=list)
    # reminders asked, sent (late: after the start), cancelled, notified (their talk was
    # cancelled), refused, dropped, undeliverable, and how many are pending now
    reminders: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since_days, "questions": self.questions,
            "answered": self.answered, "hedged": self.hedged, "declined": self.declined,
            "votes": {"up": self.votes_up, "down": self.votes_down},
            "unanswered": [
                {"question": u.question, "count": u.count,
                 "last_asked": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(u.last_asked)),
                 "nearest": u.nearest, "outcome": u.outcome} for u in self.unanswered],
            "downvoted": [asdict(d) for d in self.downvoted],
            "reminders": self.reminders,
        }


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _grouped(rows: list[tuple[str, float, str, str]]) -> list[Unanswered]:
    """Near-identical questions as one, with how often and when last they were asked."""
    groups: list[dict[str, Any]] = []
    for question, asked_at, nearest, outcome in sorted(rows, key=lambda r: r[1]):
        key = _normalised(question)  # the first wording asked stands for the group
        for group in groups:
            if fuzz.ratio(key, group["key"]) >= SAME_QUESTION:
                group["count"] += 1
                group["last"] = asked_at
                group["outcome"] = outcome
                break
        else:
            groups.append({"key": key, "question": " ".join(question.split()), "count": 1,
                           "last": asked_at, "nearest": json.loads(nearest),
                           "outcome": outcome})
    groups.sort(key=lambda g: (-g["count"], -g["last"]))
    return [Unanswered(g["question"], g["count"], g["last"], g["nearest"], g["outcome"])
            for g in groups[:MAX_LISTED]]


def build_report(conn: sqlite3.Connection, since_days: float,
                 now: float | None = None) -> FeedbackReport:
    """The report over the last ``since_days`` days (runs on the store's thread)."""
    cutoff = (now or time.time()) - since_days * 86400
    report = FeedbackReport(since_days=since_days)
    for outcome, count in conn.execute(
            "SELECT outcome, count(*) FROM questions WHERE asked_at >= ? GROUP BY outcome",
            (cutoff,)):
        if outcome in ("answered", "hedged", "declined"):
            setattr(report, outcome, int(count))
    report.questions = report.answered + report.hedged + report.declined
    for vote, count in conn.execute(
            "SELECT v.vote, count(*) FROM votes v JOIN questions q USING (answer_id) "
            "WHERE q.asked_at >= ? GROUP BY v.vote", (cutoff,)):
        if vote == "up":
            report.votes_up = int(count)
        elif vote == "down":
            report.votes_down = int(count)
    rows = conn.execute(
        "SELECT question, asked_at, nearest, outcome FROM questions WHERE asked_at >= ? "
        "AND outcome IN ('declined', 'hedged') AND question IS NOT NULL", (cutoff,)).fetchall()
    report.unanswered = _grouped(rows)
    for question, session, passage, up, down in conn.execute(
            "SELECT q.question, q.session_title, q.passage, "
            "sum(v.vote = 'up'), sum(v.vote = 'down') FROM questions q "
            "JOIN votes v USING (answer_id) WHERE q.asked_at >= ? GROUP BY q.answer_id "
            "HAVING sum(v.vote = 'down') > 0 ORDER BY sum(v.vote = 'down') DESC, "
            "max(v.voted_at) DESC LIMIT ?", (cutoff, MAX_LISTED)):
        report.downvoted.append(Downvoted(question, session, passage, int(up), int(down)))
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'reminder_events'"
                    ).fetchone() is None:
        return report  # a state database of before reminders, read as it is
    report.reminders = {str(event): int(count) for event, count in conn.execute(
        "SELECT event, count(*) FROM reminder_events WHERE at >= ? GROUP BY event",
        (cutoff,))}
    (pending,) = conn.execute("SELECT count(*) FROM reminders WHERE kind = 'remind'"
                              ).fetchone()
    report.reminders["pending"] = int(pending)
    return report


def eval_yaml(report: FeedbackReport) -> str:
    """The report's questions as a question file for ``summit-bot eval``: declined ones with
    ``session: null`` (the notes may not answer them), voted-down ones with ``session: TODO``
    and the title that was quoted in a comment, for organizers to fill in."""
    lines = ["# Real questions from summit-bot's report. Fill in `session` (the title that",
             "# answers, or null) and `expect` (phrases a right passage contains), then run",
             "# `summit-bot eval THIS_FILE`.", ""]
    n = 0
    for item in report.unanswered:
        if item.outcome != "declined":
            continue
        n += 1
        lines.append(yaml.safe_dump([{"id": f"real-{n}", "q": item.question, "session": None,
                                      "expect": []}], allow_unicode=True,
                                    default_flow_style=None, width=1000).rstrip())
    for down in report.downvoted:
        if down.question is None:
            continue
        n += 1
        lines.append(f"# quoted: {' '.join((down.session or '?').split())}")
        lines.append(yaml.safe_dump([{"id": f"real-{n}", "q": down.question,
                                      "session": "TODO", "expect": []}], allow_unicode=True,
                                    default_flow_style=None, width=1000).rstrip())
    if n == 0:
        lines.append("[]")
    return "\n".join(lines) + "\n"
