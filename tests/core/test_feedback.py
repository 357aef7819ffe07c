"""The organizers' loop without any chat network: what is stored, what is not, votes, the
report, retention, and answers that keep flowing whatever happens to the state file."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.answer.evaluate import load_items
from bot.cli import cli
from bot.commands import AnswerReply, Notice, Requester, SummitService
from bot.commands.results import ReportReply
from bot.feedback.report import build_report, eval_yaml
from bot.feedback.store import QuestionRow, StateStore

CEPH = "what did the Ceph talk say about CRUSH?"
TAPE = "what did the ceph talk say about tape backups?"  # the notes don't say: hedged
OFF_TOPIC = "what is the airspeed of an unladen swallow?"
ALICE = Requester("discord", "123456789012345678", place="998877665544332211")
ADMIN = Requester("discord", "42", is_admin=True, place="998877665544332211")
DM = Requester("matrix", "@secret-person:example.org", place="!dm:example.org", direct=True)


def _store(service: SummitService) -> StateStore:
    assert service.feedback is not None
    return service.feedback


async def _ask(service: SummitService, text: str, who: Requester) -> AnswerReply:
    reply = await service.ask(text, who)
    assert isinstance(reply, AnswerReply)
    return reply


async def test_questions_votes_and_the_report(feedback_service: SummitService) -> None:
    service = feedback_service
    ceph = await _ask(service, CEPH, ALICE)
    assert ceph.answer.answered and ceph.answer_id
    await _ask(service, OFF_TOPIC, ALICE)
    await _ask(service, OFF_TOPIC.replace("unladen", "an unladen").upper(), ADMIN)
    tape = await _ask(service, TAPE, ALICE)
    assert await service.vote(ceph.answer_id, ALICE, "up")
    assert await service.vote(ceph.answer_id, ALICE, "down")  # a second vote changes it
    assert await service.vote(ceph.answer_id, ADMIN, "down")
    assert not await service.vote("0123456789abcdef", ALICE, "up")  # unknown: ignored
    _store(service).flush()

    reply = await service.report(ADMIN)
    assert isinstance(reply, ReportReply)
    report = reply.report
    assert report.questions == 4 and report.declined == 2
    assert report.answered + report.hedged == 2
    assert (report.votes_up, report.votes_down) == (0, 2)
    unanswered = {u.question.casefold(): u for u in report.unanswered}
    swallow = unanswered[OFF_TOPIC]  # the two swallows are one question, asked twice
    assert swallow.count == 2 and swallow.outcome == "declined"
    if not tape.answer.confident:  # a guess: listed, with the sessions closest to it
        assert unanswered[TAPE].outcome == "hedged" and unanswered[TAPE].nearest
    (down,) = report.downvoted
    assert down.question == CEPH and down.down == 2 and down.up == 0
    assert down.session == ceph.answer.best.session.title  # type: ignore[union-attr]
    refused = await service.report(ALICE)
    assert isinstance(refused, Notice) and refused.kind == "refused"
    assert isinstance(await service.report(ADMIN, "soon"), Notice)


async def test_no_raw_ids_and_no_direct_chat_text_in_the_file(
        feedback_service: SummitService, tmp_path: Path) -> None:
    service = feedback_service
    public = await _ask(service, CEPH, ALICE)
    private = await _ask(service, "what did the Ceph talk say about RBD snapshots?", DM)
    await service.vote(public.answer_id, ALICE, "up")
    await service.vote(private.answer_id, DM, "down")
    store = _store(service)
    store.flush()
    store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("state.sqlite3*"))
    for raw in (ALICE.user_id, ALICE.place, DM.user_id, DM.place, "RBD snapshots"):
        assert raw.encode() not in data, raw
    assert b"CRUSH" in data  # asked in public: kept for the report


async def test_retention_purges_old_questions_and_their_votes(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.sqlite3")
    now = time.time()
    try:
        for n, age_days in enumerate((200, 100, 10)):
            store.record_question(QuestionRow(f"{n:016x}", "discord", "declined",
                                              f"question {n}", asked_at=now - age_days * 86400),
                                  raw_asker="u", raw_place="g")
        assert await store.vote(f"{0:016x}", "discord", "u", "down")
        store.purge(90, now=now)
        report = await store.read(lambda conn: build_report(conn, 365, now=now))
        assert report is not None
        assert report.questions == 1 and report.votes_down == 0
        assert [u.question for u in report.unanswered] == ["question 2"]
    finally:
        store.close()


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(60)
"""


async def test_answers_flow_when_the_state_file_is_locked(
        feedback_service: SummitService, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    service = feedback_service
    await _ask(service, CEPH, ALICE)  # the file exists, in WAL mode
    store = _store(service)
    store.flush()
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(store.path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        caplog.set_level(logging.WARNING, logger="bot.feedback.store")
        for _ in range(3):
            reply = await _ask(service, CEPH, ALICE)
            assert reply.answer.answered
        store.flush()
    finally:
        locker.kill()
        locker.wait()
    assert store.errors >= 3
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 1  # logged once, counted every time
    await _ask(service, CEPH, ALICE)  # and it works again once the lock is gone
    store.flush()
    report = await service.report(ADMIN)
    assert isinstance(report, ReportReply) and report.report.questions >= 2


async def test_answers_flow_when_the_state_file_is_garbage_or_deleted(
        tmp_path: Path, corpus_index: Path, corpus_copy: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    import shutil

    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    state = tmp_path / "state.sqlite3"
    state.write_bytes(b"\x00garbage, not a database\xff" * 100)
    store = StateStore(state)
    service = SummitService(db, [corpus_copy], feedback=store)
    await service.start()
    caplog.set_level(logging.WARNING, logger="bot.feedback.store")
    try:
        for _ in range(2):
            assert (await _ask(service, CEPH, ALICE)).answer.answered
        store.flush()
        assert store.errors == 2
        assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 1
        assert isinstance(await service.report(ADMIN), Notice)  # cannot read: says so
        errors = store.errors

        state.unlink()  # an organizer removes the broken file: a new one is made
        assert (await _ask(service, CEPH, ALICE)).answer.answered
        store.flush()
        assert store.errors == errors
        state.unlink()  # and deleted while open: noticed, made anew
        await _ask(service, CEPH, ALICE)
        store.flush()
        report = await service.report(ADMIN)
        assert isinstance(report, ReportReply) and report.report.questions == 1
    finally:
        await service.close()
        store.close()


async def test_report_cli_json_and_eval_yaml(feedback_service: SummitService,
                                             tmp_path: Path) -> None:
    service = feedback_service
    ceph = await _ask(service, CEPH, ALICE)
    await _ask(service, OFF_TOPIC, ALICE)
    await service.vote(ceph.answer_id, ALICE, "down")
    _store(service).flush()
    out = tmp_path / "real-questions.yaml"
    result = CliRunner().invoke(cli, ["report", "--state", str(tmp_path / "state.sqlite3"),
                                      "--json", "--eval-yaml", str(out)],
                                env={"SUMMIT_BOT_CONFIG": None})  # type: ignore[dict-item]
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    assert set(data) == {"since", "questions", "answered", "hedged", "declined", "votes",
                         "unanswered", "downvoted", "reminders"}
    assert data["votes"] == {"up": 0, "down": 1}
    assert data["reminders"] == {"pending": 0}  # none asked: only the count of pending
    assert data["unanswered"][0]["question"] == OFF_TOPIC
    assert data["downvoted"][0]["session"] == ceph.answer.best.session.title  # type: ignore[union-attr]
    items = load_items(out)
    assert [(i.q, i.session) for i in items] == [(OFF_TOPIC, None), (CEPH, "TODO")]
    assert "# quoted: " in out.read_text()
    # the CLI runs its own event loop: in a thread, beside this test's
    evaluated = await asyncio.to_thread(
        CliRunner().invoke, cli, ["eval", str(out), "--db", str(service.db_path)])
    assert evaluated.exit_code == 0, evaluated.output
    assert "2 questions" in evaluated.output


def test_eval_yaml_of_an_empty_report_loads() -> None:
    from bot.feedback.report import FeedbackReport

    path_text = eval_yaml(FeedbackReport(since_days=7))
    assert yaml.safe_load(path_text) == []


def test_report_cli_without_a_state_file_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--state", str(tmp_path / "none.sqlite3")])
    assert result.exit_code == 1
    assert "no state database" in result.output
