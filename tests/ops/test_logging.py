"""One log line per question: platform, latency, outcome; text only if asked."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.commands import AnswerReply, Requester, SummitService
from bot.config import LoggingConfig
from bot.events import QuestionEvent
from bot.logsetup import QUESTION_LOGGER, JsonFormatter, QuestionLog, setup_logging

CEPH = "what did the Ceph talk say about CRUSH?"
SWALLOW = "what is the airspeed of an unladen swallow?"


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO)
    yield caplog


def question_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("question ")]


async def test_one_line_per_question_without_text(service: SummitService,
                                                  captured: pytest.LogCaptureFixture
                                                  ) -> None:
    log = QuestionLog(LoggingConfig())
    log.attach(service.question_hooks)
    try:
        ceph = await service.ask(CEPH, Requester("discord", "u1"))
        await service.ask(SWALLOW, Requester("matrix", "@u:x"))
    finally:
        log.detach(service.question_hooks)
    records = question_records(captured)
    assert len(records) == 2
    assert all(r.name == QUESTION_LOGGER for r in records)
    first, second = (r.getMessage() for r in records)
    assert isinstance(ceph, AnswerReply) and ceph.answer.answered
    outcome = "answered" if ceph.answer.confident else "hedged"
    assert first.startswith(f"question platform=discord {outcome} latency_ms=")
    assert second.startswith("question platform=matrix declined latency_ms=")
    assert "Ceph" not in first and "swallow" not in second
    assert getattr(records[0], "latency_ms") >= 0  # noqa: B009 - an `extra` field
    assert getattr(records[1], "outcome") == "declined"  # noqa: B009


async def test_question_text_only_when_configured(service: SummitService,
                                                  captured: pytest.LogCaptureFixture
                                                  ) -> None:
    log = QuestionLog(LoggingConfig(log_question_text=True))
    log.attach(service.question_hooks)
    try:
        await service.ask(CEPH + "\n" + "x" * 400, Requester("discord", "u1"))
    finally:
        log.detach(service.question_hooks)
    (record,) = question_records(captured)
    message = record.getMessage()
    assert 'text="what did the Ceph talk say about CRUSH? xxx' in message
    assert "\n" not in message and len(getattr(record, "question")) <= 300  # noqa: B009


async def test_detached_no_line_and_a_failing_listener_costs_no_answer(
        service: SummitService, captured: pytest.LogCaptureFixture) -> None:
    """The service writes no question line of its own (listeners do), and a listener that
    raises is logged while the asker still gets the answer."""
    log = QuestionLog(LoggingConfig())
    log.attach(service.question_hooks)
    log.detach(service.question_hooks)

    def broken(event: QuestionEvent) -> None:
        raise RuntimeError("listener down")

    service.question_hooks.append(broken)
    try:
        reply = await service.ask(CEPH, Requester("discord", "u1"))
    finally:
        service.question_hooks.remove(broken)
    assert isinstance(reply, AnswerReply) and reply.answer.answered
    assert question_records(captured) == []
    assert any("listener failed" in r.getMessage() for r in captured.records)


def test_json_lines_carry_the_fields() -> None:
    record = logging.LogRecord(QUESTION_LOGGER, logging.INFO, __file__, 1,
                               "question platform=%s %s", ("discord", "answered"), None)
    record.platform, record.outcome, record.latency_ms = "discord", "answered", 12.5
    line = JsonFormatter().format(record)
    payload = json.loads(line)
    assert payload["message"] == "question platform=discord answered"
    assert payload["platform"] == "discord" and payload["latency_ms"] == 12.5
    assert payload["level"] == "INFO" and payload["time"].endswith("Z")
    assert "question" not in payload


def test_setup_logging_json_and_level(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging(LoggingConfig.model_validate({"level": "warning", "json": True}))
        logging.getLogger("bot.test").info("hidden")
        logging.getLogger("bot.test").warning("shown %d", 1)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    (line,) = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "shown 1"
