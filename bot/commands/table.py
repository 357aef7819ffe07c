"""Every command, declared once.

Each entry names the command, says what it does, declares its argument with its limits,
says whether only admins may run it, and calls the service. The Discord app commands
(bot/platforms/discord/commands.py), the Matrix and console parser
(bot/platforms/matrix/parse.py, bot/platforms/console.py) and the help text
(bot/commands/text.py) are all derived from this table: adding a command is one entry here,
its service method, and its reply's renderers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.answer.question import MAX_QUESTION_CHARS
from bot.commands.results import Notice, Reply, Requester
from bot.commands.service import MAX_FILTER_CHARS, MAX_TITLE_CHARS, PAGE_SIZE, SummitService

EXAMPLE_QUESTION = "what did the Ceph talk say about CRUSH?"


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    description: str
    max_length: int
    required: bool = True
    completes_titles: bool = False  # offer session titles as the user types


@dataclass(frozen=True, slots=True)
class Call:
    """One run of a command, as an adapter builds it from a chat event."""

    requester: Requester
    argument: str = ""
    page_size: int = PAGE_SIZE  # sessions per listed page: a platform's own choice


Handler = Callable[[SummitService, Call], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    summary: str  # one line: the Discord description, and the help text
    run: Handler
    argument: Argument | None = None
    admin: bool = False  # checked by the service on our side, whatever a platform's UI does
    slow: bool = False  # may outlast a platform's first-reply deadline: acknowledge first
    slash: bool = True  # a Discord app command (help is for platforms without a menu)

    def usage(self, prefix: str) -> str:
        """``!name <argument>`` or ``!name [argument]``, for help text."""
        if self.argument is None:
            return f"{prefix}{self.name}"
        arg = self.argument
        return f"{prefix}{self.name} " + (f"<{arg.name}>" if arg.required else f"[{arg.name}]")


async def _ask(service: SummitService, call: Call) -> Reply:
    if not call.argument.strip():
        return Notice(f"Ask a question after {service.prefix}ask, for example: "
                      f"{service.prefix}ask {EXAMPLE_QUESTION}")
    return await service.ask(call.argument, call.requester)


async def _session(service: SummitService, call: Call) -> Reply:
    return await service.session(call.argument)


async def _sessions(service: SummitService, call: Call) -> Reply:
    return service.sessions(call.argument.strip() or None, per_page=call.page_size)


async def _reload(service: SummitService, call: Call) -> Reply:
    return await service.reload(call.requester)


async def _report(service: SummitService, call: Call) -> Reply:
    return await service.report(call.requester, call.argument)


async def _help(service: SummitService, call: Call) -> Reply:
    return service.help()


COMMANDS: tuple[Command, ...] = (
    Command("ask", "Ask a question; the answer quotes the notes.", _ask,
            Argument("question", f"e.g. {EXAMPLE_QUESTION}", MAX_QUESTION_CHARS)),
    Command("session", "One session's details and opening notes.", _session,
            Argument("title", "The session's title (suggestions appear as you type)",
                     MAX_TITLE_CHARS, completes_titles=True)),
    Command("sessions", "List the sessions, optionally filtered.", _sessions,
            Argument("query", "Words in the title, speakers, summit, track or tags",
                     MAX_FILTER_CHARS, required=False)),
    Command("reload", "Re-read the notes and rebuild the index (admins only).",
            _reload, admin=True, slow=True),
    Command("report", "What people asked that the notes missed, and answers voted down "
            "(admins only).", _report,
            Argument("days", "How many days back (default: all that is kept)", 4,
                     required=False), admin=True),
    Command("help", "What the bot does and its commands.", _help, slash=False),
)

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}
