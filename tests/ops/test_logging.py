"""One log line per question: platform, latency, answered or declined; text only if asked."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.commands import Requester, SummitService
from bot.config import LoggingConfig
from bot.logsetup import QUESTION_LOGGER, JsonFormatter, QuestionLog, setup_logging
from bot.serve import ServedService

CEPH = "what did the Ceph talk say about CRUSH?"
SWALLOW = "what is the airspeed of an unladen swallow?"


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO)
    yield caplog


def question_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "question" in r.getMessage()]


@pytest.fixture
async def served(service: SummitService) -> AsyncIterator[ServedService]:
    """The serve-time service, over the fixture's private index."""
    served = ServedService(service.db_path, service.corpus_paths)
    await served.start()
    try:
        yield served
    finally:
        await served.close()


async def test_one_line_per_question_without_text(served: ServedService,
                                                  captured: pytest.LogCaptureFixture
                                                  ) -> None:
    log = QuestionLog(LoggingConfig())
    log.attach(served.question_hooks)
    try:
        await served.ask(CEPH, Requester("discord", "u1"))
        await served.ask(SWALLOW, Requester("matrix", "@u:x"))
    finally:
        log.detach(served.question_hooks)
    records = question_records(captured)
    assert len(records) == 2  # the service's own line is dropped while attached
    assert all(r.name == QUESTION_LOGGER for r in records)
    first, second = (r.getMessage() for r in records)
    assert first.startswith("question platform=discord answered latency_ms=")
    assert second.startswith("question platform=matrix declined latency_ms=")
    assert "Ceph" not in first and "swallow" not in second
    assert getattr(records[0], "latency_ms") >= 0  # noqa: B009 - an `extra` field
    assert getattr(records[1], "outcome") == "declined"  # noqa: B009


async def test_question_text_only_when_configured(served: ServedService,
                                                  captured: pytest.LogCaptureFixture
                                                  ) -> None:
    log = QuestionLog(LoggingConfig(log_question_text=True))
    log.attach(served.question_hooks)
    try:
        await served.ask(CEPH + "\n" + "x" * 400, Requester("discord", "u1"))
    finally:
        log.detach(served.question_hooks)
    (record,) = question_records(captured)
    message = record.getMessage()
    assert 'text="what did the Ceph talk say about CRUSH? xxx' in message
    assert "\n" not in message and len(getattr(record, "question")) <= 300  # noqa: B009


async def test_detached_the_service_line_comes_back(service: SummitService,
                                                    captured: pytest.LogCaptureFixture
                                                    ) -> None:
    log = QuestionLog(LoggingConfig())
    log.attach(service.question_hooks)
    log.detach(service.question_hooks)
    await service.ask(CEPH, Requester("discord", "u1"))
    assert [r.name for r in question_records(captured)] == ["bot.commands.service"]


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
