"""The bot's commands, written once: each platform adapter turns chat events into these
calls and their results into messages."""

from bot.commands.results import (
    AnswerReply,
    HelpReply,
    Notice,
    ReloadReport,
    Requester,
    ScheduleReply,
    SessionList,
    SessionNotFound,
    SessionReply,
)
from bot.commands.service import SummitService

__all__ = ["AnswerReply", "HelpReply", "Notice", "ReloadReport", "Requester", "ScheduleReply",
           "SessionList", "SessionNotFound", "SessionReply", "SummitService"]
