"""discord.py's log, made quieter where it shouts about normal life: a dropped gateway
connection (which it resumes by itself) is one WARNING line instead of an ERROR with a
traceback, and the bot, which never joins voice, is not warned about voice libraries."""

from __future__ import annotations

import logging

_VOICE = ("PyNaCl is not installed", "davey is not installed")


class QuietReconnects(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(_VOICE):
            return False
        if message.startswith("Attempting a reconnect in"):
            error = record.exc_info[1] if record.exc_info else None
            why = f"{type(error).__name__}: {error}" if error else "connection lost"
            record.msg = "Discord connection dropped (%s); %s"
            record.args = (why.rstrip(": "), message[0].lower() + message[1:])
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


QUIET_RECONNECTS = QuietReconnects()


def quiet_discord_log() -> None:
    """Install the filter once on discord.py's client logger."""
    logger = logging.getLogger("discord.client")
    if QUIET_RECONNECTS not in logger.filters:
        logger.addFilter(QUIET_RECONNECTS)
