"""Reading a schedule question: its kind, and the day and time it names."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.schedule.question import read_schedule_question, read_when


@pytest.mark.parametrize(("text", "kind"), [
    ("when is the ceph talk?", "when"),
    ("what time does the keynote start", "when"),
    ("is the kyber talk today? what time", "when"),
    ("which room is the pdf.js talk in", "where"),
    ("where can i watch the doom chip talk", "where"),
    ("who's doing the bluetooth magic talk", "who"),
    ("who's on stage in janson right now", "now"),
    ("who is speaking in janson at noon tomorrow", "at"),
    ("what's on right now?", "now"),
    ("anything on c-base rn", "now"),
    ("what's on in janson?", "now"),
    ("what's next in liskov", "next"),
    ("after this one whats next on the haecksen stream", "next"),
    ("what's in lamarr at 3:30 on thursday", "at"),
    ("lichtung at 10:30pm tomorrow?", "at"),
    ("what's on in janson on day 2", "day"),
    ("the schedule for sunday", "day"),
    ("is there a talk about postgres today", "topic"),
    ("what is daniel domscheit-berg talking about this year?", "speaker"),
    ("marc balmer talks?", "speaker"),
    ("talks by rebecca franks", "speaker"),
])
def test_kinds(text: str, kind: str) -> None:
    question = read_schedule_question(text)
    assert question is not None and question.kind == kind


@pytest.mark.parametrize("text", [
    "what did the ceph talk say about crush?",
    "how big is the private cloud the author runs?",
    "what is RedDwarf?",
    "who said that tape is dead?",
])
def test_notes_questions_are_not_schedule_questions(text: str) -> None:
    assert read_schedule_question(text) is None


@pytest.mark.parametrize(("text", "clock"), [
    ("at 4:15pm", time(16, 15)), ("at 3pm", time(15, 0)), ("15:30", time(15, 30)),
    ("around 4:30", time(16, 30)), ("at 11:30 on friday", time(11, 30)),
    ("at 10 tonight", time(22, 0)), ("at noon", time(12, 0)), ("at 9am", time(9, 0)),
    ("with 3 talks", None), ("aes-1024", None), ("room k.1.105", None),
])
def test_clock_times(text: str, clock: time | None) -> None:
    assert read_when(text)[0].clock == clock


def test_days() -> None:
    assert read_when("on dec 28")[0].day_of_month == 28
    assert read_when("on dec 28")[0].month == 12
    assert read_when("the 28th")[0].day_of_month == 28
    assert read_when("day 2")[0].day_number == 2
    assert read_when("on the last day")[0].day_number == -1
    assert read_when("on sunday")[0].weekday == 6
    assert read_when("2021-12-28")[0].iso == date(2021, 12, 28)
    assert read_when("tomorrow morning")[0].relative_day == 1
    afternoon = read_when("this afternoon")[0]
    assert (afternoon.relative_day, afternoon.part) == (0, "afternoon")
    assert read_when("the sun talk")[0].weekday is None  # "sun" is a day only after "on"
