"""Schedule questions answered through the real CLI and service, over a made-up schedule
indexed beside the bundled notes (tests/schedule/sample.py) and over the shared exports."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.clock import FixedClock
from bot.commands import Requester, ScheduleReply, SummitService
from bot.commands.table import BY_NAME, Call
from bot.commands.text import render_text
from tests.conftest import CORPUS, shared_path
from tests.schedule.sample import write_sample

FRIDAY_MORNING = "2030-06-01T09:50:00+02:00"  # before the first talks


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled notes and the sample schedule, in one folder, indexed by the CLI."""
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copytree(CORPUS, folder / "notes")
    write_sample(folder / "notes" / "programme")
    db = folder / "index.sqlite3"
    result = CliRunner().invoke(cli, ["index", str(folder / "notes"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "9 from schedules" in result.output
    return db


def ask(db: Path, now: str | None, *questions: str) -> list[dict[str, Any]]:
    args = ["ask", "--db", str(db), "--json", *(["--now", now] if now else [])]
    result = CliRunner().invoke(cli, args, input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def titles(answer: dict[str, Any]) -> list[str]:
    return [s["title"] for s in answer["sessions"]]


def test_when_where_who_name_the_talk_with_its_instant_room_and_link(mixed_index: Path
                                                                    ) -> None:
    when, where, who = ask(mixed_index, FRIDAY_MORNING, "when is the ceph storage talk?",
                           "which room is rust for kernel hackers in",
                           "who is giving the observability deep dive")
    for answer in (when, where, who):
        assert answer["kind"] == "schedule" and answer["answered"]
        assert answer["session"] == answer["sessions"][0]
    assert when["session"]["title"] == "Storage at Scale with Ceph"
    assert when["session"]["start"] == "2030-06-01T10:00:00+02:00"
    assert when["session"]["end"] == "2030-06-01T10:45:00+02:00"
    assert when["session"]["url"] == "https://pretalx.example.org/tsum/talk/000101/"
    assert when["session"]["summit"] == "Test Summit 2030"
    assert when["session"]["cancelled"] is False
    assert "CRUSH" in when["passage"]  # the abstract is quoted
    assert where["session"]["room"] == "Saal 2"
    assert who["session"]["speakers"] == ["Ada Quill", "Tom Reyes"]


def test_now_next_and_at_follow_the_clock(mixed_index: Path) -> None:
    now, nxt, at, after = ask(
        mixed_index, "2030-06-01T10:20:00+02:00", "what's on right now?",
        "what's next in saal 1", "what's in saal 2 at 3:30pm",
        "what's after the rust talk in saal 2")
    assert titles(now) == ["Storage at Scale with Ceph", "Rust for Kernel Hackers"]
    # next: the first to *start* after now, never the one running; the break counts there
    assert titles(nxt) == ["Lunch"]
    assert titles(at) == ["Soldering Workshop"]
    assert at["sessions"][0]["start"] == "2030-06-01T15:00:00+02:00"
    # the cancelled 14:00 talk is never "next"
    assert titles(after) == ["Soldering Workshop"]


def test_cancelled_talks_are_shown_as_such_and_never_on_now(mixed_index: Path) -> None:
    when, on = ask(mixed_index, "2030-06-01T14:10:00+02:00", "when is quantum widgets",
                   "anything on in saal 2 right now?")
    assert when["session"]["cancelled"] is True
    assert not on["answered"] and on["sessions"] == []


def test_days_weekdays_and_after_midnight(mixed_index: Path) -> None:
    # 2030-06-01 is a Saturday; asked long before the summit, "sunday" means its Sunday
    sunday, late = ask(mixed_index, "2030-01-10T12:00:00+01:00",
                       "what's in saal 1 at 9am on sunday", "when are the lightning talks")
    assert titles(sunday) == ["The Future of Summits"]
    assert late["session"]["start"] == "2030-06-02T01:30:00+02:00"  # the night after day 1


def test_a_repeated_workshop_answers_with_the_next_one_to_come(mixed_index: Path) -> None:
    (first,) = ask(mixed_index, FRIDAY_MORNING, "when is the soldering workshop")
    (second,) = ask(mixed_index, "2030-06-01T17:00:00+02:00", "when is the soldering workshop")
    assert first["session"]["start"] == "2030-06-01T15:00:00+02:00"
    assert second["session"]["start"] == "2030-06-02T11:00:00+02:00"


def test_a_speakers_talks_in_time_order(mixed_index: Path) -> None:
    (answer,) = ask(mixed_index, FRIDAY_MORNING, "what is maria ortega talking about?")
    assert titles(answer) == ["Rust for Kernel Hackers", "The Future of Summits"]


def test_someone_not_in_the_schedule_is_declined_not_given_a_wrong_time(mixed_index: Path
                                                                       ) -> None:
    person, talk = ask(mixed_index, FRIDAY_MORNING, "when is grace hopper's talk?",
                       "when is the talk about underwater basket weaving")
    for answer in (person, talk):
        assert answer["answered"] is False and answer["sessions"] == []
        assert answer["kind"] == "schedule"


def test_notes_questions_are_still_answered_from_the_notes(mixed_index: Path) -> None:
    (answer,) = ask(mixed_index, FRIDAY_MORNING, "what did the Ceph talk say about CRUSH?")
    assert answer["kind"] == "notes" and answer["sessions"] == []
    assert answer["session"]["title"] == "Storing VMs with Cinder and Ceph RBD"


def test_now_needs_an_offset_and_says_which_flag() -> None:
    result = CliRunner().invoke(cli, ["ask", "--db", "x.sqlite3", "--now",
                                      "2030-06-01T10:00:00", "hi"])
    assert result.exit_code == 2
    assert "--now" in result.output and "offset" in result.output


@pytest.fixture
async def schedule_service(tmp_path: Path, mixed_index: Path
                           ) -> AsyncIterator[SummitService]:
    db = tmp_path / "index.sqlite3"
    shutil.copy(mixed_index, db)
    clock = FixedClock(datetime.fromisoformat("2030-06-01T13:10:00+02:00"))
    service = SummitService(db, [CORPUS], clock=clock)
    await service.open_existing()
    try:
        yield service
    finally:
        await service.close()


async def _run(service: SummitService, name: str, text: str = "") -> ScheduleReply:
    reply = await BY_NAME[name].run(service, Call(Requester("console", "me"), text))
    assert isinstance(reply, ScheduleReply), reply
    return reply


async def test_schedule_commands_from_the_table(schedule_service: SummitService) -> None:
    now = await _run(schedule_service, "now")
    assert [t.title for t in now.answer.talks] == ["Observability Deep Dive"]
    nxt = await _run(schedule_service, "next", "saal 2")
    assert [t.title for t in nxt.answer.talks] == ["Soldering Workshop"]  # not the cancelled
    day = await _run(schedule_service, "schedule", "saal 1")
    assert [t.title for t in day.answer.talks] == [
        "Storage at Scale with Ceph", "Lunch", "Observability Deep Dive"]
    speaker = await _run(schedule_service, "speaker", "Ada Quill")
    assert len(speaker.answer.talks) == 2
    typo = await _run(schedule_service, "speaker", "Ada Quil")
    assert typo.answer.scope == "Ada Quill"
    unknown = await _run(schedule_service, "speaker", "Ada Lovelace")
    assert not unknown.answer.answered and unknown.answer.nearest[0] == "Ada Quill"
    text = render_text(now)
    assert "Sat 1 Jun 13:00 CEST (UTC+02:00)–13:40 · started 10 min ago · Saal 1" in text


async def test_autocomplete_sources(schedule_service: SummitService) -> None:
    assert schedule_service.complete("rooms", "saa", 5) == ["Saal 1", "Saal 2"]
    assert "Hardware" in schedule_service.complete("tracks", "hard", 5)
    assert "Saal 1" in schedule_service.complete("places", "", 25)
    assert schedule_service.complete("speakers", "orte", 3)[0] == "Maria Ortega"
    assert schedule_service.complete("days", "", 5) == ["2030-06-01 Sat", "2030-06-02 Sun"]


async def test_without_a_schedule_the_commands_say_how_to_add_one(service: SummitService
                                                                 ) -> None:
    reply = await BY_NAME["now"].run(service, Call(Requester("console", "me"), ""))
    assert "schedule.sources" in render_text(reply)


def test_the_shared_exports_answer_in_their_own_zones(tmp_path: Path) -> None:
    config = shared_path("schedules", "schedules.yaml")
    db = tmp_path / "s.sqlite3"
    result = CliRunner().invoke(cli, ["index", "--config", str(config), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "944 sessions (944 from schedules)" in result.output
    fosdem, droidcon, rc3 = ask(db, "2013-02-02T10:00:00+01:00",
                                "where is the samba4 talk",
                                "when is the paparazzi talk at droidcon",
                                "who gives the tpm explosion talk")
    assert (fosdem["session"]["room"], fosdem["session"]["start"]) == (
        "Janson", "2013-02-03T10:00:00+01:00")
    assert droidcon["session"]["start"] == "2023-10-26T13:50:00+01:00"  # BST
    assert rc3["session"]["speakers"] == ["Daniel Maslowski"]
    # "fosdem" names the conference, not its speaker "FOSDEM Staff" (who gives two talks)
    result = CliRunner().invoke(cli, ["ask", "--db", str(db), "--now",
                                      "2013-02-02T11:00:00+01:00", "what's on now at fosdem?"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "On now in FOSDEM 2013:"
    (staff,) = ask(db, "2013-02-02T11:00:00+01:00", "what's fosdem staff giving?")
    assert {s["title"] for s in staff["sessions"]} == {"Welcome to FOSDEM 2013",
                                                      "Closing FOSDEM 2013"}


def test_the_schedule_command_lists_by_day_room_and_speaker(mixed_index: Path) -> None:
    run = CliRunner().invoke
    lines = run(cli, ["schedule", "--db", str(mixed_index), "--day", "2", "--json"]).output
    listed = [json.loads(line) for line in lines.splitlines()]
    assert [s["title"] for s in listed] == ["Late Night Lightning Talks",
                                            "The Future of Summits", "Soldering Workshop"]
    assert all(s["start"].startswith("2030-06-02") for s in listed)
    ada = run(cli, ["schedule", "--db", str(mixed_index), "--speaker", "ada quill"]).output
    assert "Storage at Scale with Ceph" in ada and "Observability Deep Dive" in ada
    gone = run(cli, ["schedule", "--db", str(mixed_index), "--room", "Saal 2", "--day",
                     "2030-06-01"]).output
    assert "Quantum Widgets (cancelled)" in gone
    wrong = run(cli, ["schedule", "--db", str(mixed_index), "--room", "saal 9"])
    assert wrong.exit_code == 1 and "did you mean Saal" in wrong.output
    bad_day = run(cli, ["schedule", "--db", str(mixed_index), "--day", "7"])
    assert bad_day.exit_code == 1 and "days 1 to 2" in bad_day.output


def test_session_shows_its_time_and_room(mixed_index: Path) -> None:
    shown = CliRunner().invoke(cli, ["session", "--db", str(mixed_index),
                                     "Rust for Kernel Hackers"]).output
    assert "Sat 1 Jun 10:00 CEST (UTC+02:00)–11:00 · Saal 2" in shown
