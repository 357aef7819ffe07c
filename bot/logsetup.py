"""Standard logging, optionally as JSON lines; secrets never reach it.

Each question gets exactly one line (platform, latency, answered, hedged or declined),
written by :class:`QuestionLog` from the service's question event. The question's text is left out
unless ``logging.log_question_text`` is set: people ask bots things they would not want
kept in a log file.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import TYPE_CHECKING, Any

from bot.config import LoggingConfig

if TYPE_CHECKING:
    from bot.events import QuestionEvent, QuestionHook

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


class QuestionLog:
    """A question hook that writes the one log line per question."""

    def __init__(self, config: LoggingConfig):
        self.log_text = config.log_question_text
        self.logger = logging.getLogger(QUESTION_LOGGER)

    def __call__(self, event: QuestionEvent) -> None:
        latency_ms = round(event.seconds * 1000, 1)
        extra: dict[str, Any] = {"platform": event.platform, "outcome": event.outcome,
                                 "latency_ms": latency_ms, "event": "question"}
        if self.log_text:
            text = " ".join(event.question.split())
            if len(text) > QUESTION_TEXT_MAX:
                text = text[:QUESTION_TEXT_MAX - 1] + "…"
            extra["question"] = text
            self.logger.info("question platform=%s %s latency_ms=%.1f text=%s",
                             event.platform, event.outcome, latency_ms,
                             json.dumps(text, ensure_ascii=False), extra=extra)
        else:
            self.logger.info("question platform=%s %s latency_ms=%.1f", event.platform,
                             event.outcome, latency_ms, extra=extra)

    def attach(self, hooks: list[QuestionHook]) -> None:
        """Register on ``service.question_hooks``."""
        if self not in hooks:
            hooks.append(self)

    def detach(self, hooks: list[QuestionHook]) -> None:
        if self in hooks:
            hooks.remove(self)
