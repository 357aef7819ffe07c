"""Standard logging, optionally as JSON lines; secrets never reach it.

Each question gets exactly one line (platform, latency, answered or declined), written by
:class:`QuestionLog` from the service's question hook. The question's text is left out
unless ``logging.log_question_text`` is set: people ask bots things they would not want
kept in a log file.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from typing import TYPE_CHECKING, Any

from bot.config import LoggingConfig

if TYPE_CHECKING:
    from bot.commands.service import QuestionHook

# The text of the question being answered in this task, set by whoever calls
# ``SummitService.ask`` (see bot/serve.py) and read only when question text is logged.
current_question: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_question", default=None)

QUESTION_LOGGER = "bot.questions"
QUESTION_TEXT_MAX = 300
# Structured fields a record may carry (``extra=``); JSON lines include them as keys.
_FIELDS = ("platform", "outcome", "latency_ms", "question", "event")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers that would mangle multi-line text."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                    + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                payload[name] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def setup_logging(config: LoggingConfig) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if config.json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config.level.upper())
    # discord.py and nio are chatty at INFO; they never log tokens, but keep them quieter.
    logging.getLogger("discord").setLevel(max(logging.INFO, root.level))
    logging.getLogger("nio").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("aiohttp.access").setLevel(max(logging.WARNING, root.level))


class _DropServiceQuestionLine(logging.Filter):
    """The service logs its own terser line per question; with :class:`QuestionLog`
    attached that would make two, so drop the service's."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("question answered"))


class QuestionLog:
    """A question hook that writes the one log line per question."""

    def __init__(self, config: LoggingConfig):
        self.log_text = config.log_question_text
        self.logger = logging.getLogger(QUESTION_LOGGER)
        self._filter = _DropServiceQuestionLine()
        self._service_logger = logging.getLogger("bot.commands.service")

    def __call__(self, platform: str, answered: bool, seconds: float) -> None:
        outcome = "answered" if answered else "declined"
        latency_ms = round(seconds * 1000, 1)
        extra: dict[str, Any] = {"platform": platform, "outcome": outcome,
                                 "latency_ms": latency_ms, "event": "question"}
        text = current_question.get() if self.log_text else None
        if text is not None:
            text = " ".join(text.split())
            if len(text) > QUESTION_TEXT_MAX:
                text = text[:QUESTION_TEXT_MAX - 1] + "…"
            extra["question"] = text
            self.logger.info("question platform=%s %s latency_ms=%.1f text=%s", platform,
                             outcome, latency_ms, json.dumps(text, ensure_ascii=False),
                             extra=extra)
        else:
            self.logger.info("question platform=%s %s latency_ms=%.1f", platform, outcome,
                             latency_ms, extra=extra)

    def attach(self, hooks: list[QuestionHook]) -> None:
        """Register on ``service.question_hooks`` and silence the service's own line."""
        hooks.append(self)
        self._service_logger.addFilter(self._filter)

    def detach(self, hooks: list[QuestionHook]) -> None:
        if self in hooks:
            hooks.remove(self)
        self._service_logger.removeFilter(self._filter)
