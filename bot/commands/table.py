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
from dataclasses import dataclass, field
from typing import Literal

from bot.answer.question import MAX_QUESTION_CHARS
from bot.commands.results import Notice, Reply, Requester
from bot.commands.service import (
    MAX_FILTER_CHARS,
    MAX_PLACE_CHARS,
    MAX_TITLE_CHARS,
    PAGE_SIZE,
    SummitService,
)
from bot.reminders.models import DEFAULT_MINUTES, MAX_MINUTES

EXAMPLE_QUESTION = "what did the Ceph talk say about CRUSH?"


# What an option's value can be completed from as the user types (SummitService.complete).
Completion = Literal["titles", "rooms", "tracks", "places", "speakers", "days", "talks"]


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    description: str
    max_length: int
    required: bool = True
    completes: Completion | None = None  # suggestions offered as the user types
    kind: Literal["text", "integer", "boolean"] = "text"  # a Discord option's type
    minimum: int | None = None  # an integer's range
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """One run of a command, as an adapter builds it from a chat event. ``argument`` is all
    the text given (on Discord, the options' values joined by spaces, in the table's order);
    ``options`` has them one by one where the platform has options."""

    requester: Requester
    argument: str = ""
    page_size: int = PAGE_SIZE  # sessions per listed page: a platform's own choice
    options: dict[str, str] = field(default_factory=dict)


Handler = Callable[[SummitService, Call], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    summary: str  # one line: the Discord description, and the help text
    run: Handler
    arguments: tuple[Argument, ...] = ()  # Discord options; one text on Matrix and console
    admin: bool = False  # checked by the service on our side, whatever a platform's UI does
    slow: bool = False  # may outlast a platform's first-reply deadline: acknowledge first
    slash: bool = True  # a Discord app command (help is for platforms without a menu)
    # On Matrix and the console the words after the command, as one text (``!schedule
    # saturday janson``): its name in help. Default: the one argument's name.
    words: str | None = None

    @property
    def argument(self) -> Argument | None:
        """The first (for most commands, the only) argument."""
        return self.arguments[0] if self.arguments else None

    def usage(self, prefix: str) -> str:
        """``!name <argument>`` or ``!name [argument]``, for help text."""
        if not self.arguments:
            return f"{prefix}{self.name}"
        name = self.words or self.arguments[0].name
        if name.startswith(("[", "<")):  # the words say themselves which are optional
            return f"{prefix}{self.name} {name}"
        required = any(a.required for a in self.arguments)
        return f"{prefix}{self.name} " + (f"<{name}>" if required else f"[{name}]")


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


async def _schedule(service: SummitService, call: Call) -> Reply:
    return await service.schedule("day", call.argument, call.requester)


async def _now(service: SummitService, call: Call) -> Reply:
    return await service.schedule("now", call.argument, call.requester)


async def _next(service: SummitService, call: Call) -> Reply:
    return await service.schedule("next", call.argument, call.requester)


async def _speaker(service: SummitService, call: Call) -> Reply:
    return await service.schedule("speaker", call.argument, call.requester)


REMINDERS_OFF = Notice("Reminders are turned off on this bot (reminders.enabled in its "
                       "config).", kind="info")


async def _remind(service: SummitService, call: Call) -> Reply:
    if service.reminders is None:
        return REMINDERS_OFF
    if call.options:  # Discord: the talk's key (from autocomplete) and the minutes apart
        return await service.reminders.remind(call.requester, call.options.get("session", ""),
                                              call.options.get("minutes"))
    return await service.reminders.remind_text(call.requester, call.argument)  # "15 iridium"


async def _reminders(service: SummitService, call: Call) -> Reply:
    if service.reminders is None:
        return REMINDERS_OFF
    return await service.reminders.list(call.requester)


async def _unremind(service: SummitService, call: Call) -> Reply:
    if service.reminders is None:
        return REMINDERS_OFF
    return await service.reminders.cancel(call.requester, call.argument)


async def _agenda(service: SummitService, call: Call) -> Reply:
    if service.reminders is None:
        return REMINDERS_OFF
    ics = call.options.get("ics", call.argument).strip().casefold() in ("true", "ics", "yes")
    return await service.reminders.agenda(call.requester, ics=ics)


_PLACE = Argument("where", "A room or track (suggestions appear as you type)", MAX_PLACE_CHARS,
                  required=False, completes="places")


COMMANDS: tuple[Command, ...] = (
    Command("ask", "Ask a question; the answer quotes the notes or the schedule.", _ask,
            (Argument("question", f"e.g. {EXAMPLE_QUESTION}", MAX_QUESTION_CHARS),)),
    Command("session", "One session's details, time and room, and opening notes.", _session,
            (Argument("title", "The session's title (suggestions appear as you type)",
                      MAX_TITLE_CHARS, completes="titles"),)),
    Command("sessions", "List the sessions, optionally filtered.", _sessions,
            (Argument("query", "Words in the title, speakers, summit, track or tags",
                      MAX_FILTER_CHARS, required=False),)),
    Command("schedule", "The programme of a day, a room or a track.", _schedule,
            (Argument("day", "A day of the conference", 40, required=False,
                      completes="days"),
             Argument("room", "A room", MAX_PLACE_CHARS, required=False, completes="rooms"),
             Argument("track", "A track", MAX_PLACE_CHARS, required=False,
                      completes="tracks")),
            words="day, room or track"),
    Command("now", "What is on now, in a room or track or everywhere.", _now, (_PLACE,),
            words="room or track"),
    Command("next", "What starts next in a room or track, or everywhere.", _next, (_PLACE,),
            words="room or track"),
    Command("speaker", "A speaker's talks, with times and rooms.", _speaker,
            (Argument("name", "The speaker's name (suggestions appear as you type)",
                      MAX_PLACE_CHARS, completes="speakers"),)),
    Command("remind", "A direct message before a talk starts (default 10 minutes).",
            _remind,
            (Argument("session", "The talk (suggestions show its day, time and room)",
                      MAX_TITLE_CHARS, completes="talks"),
             Argument("minutes", f"How many minutes before it starts (0–{MAX_MINUTES}; "
                      f"default {DEFAULT_MINUTES})", 4, required=False, kind="integer",
                      minimum=0, maximum=MAX_MINUTES)),
            words="[minutes] <title words>", slow=True),  # it opens a direct chat first
    Command("reminders", "Your reminders, with a way to cancel each.", _reminders),
    Command("unremind", "Cancel reminder N of your list.", _unremind,
            (Argument("N", "The reminder's number in your list", 4),), slash=False),
    Command("agenda", "The talks you set reminders for, in time order (with ics: a "
            "calendar file).", _agenda,
            (Argument("ics", "Attach them as an .ics file for your calendar", 5,
                      required=False, kind="boolean"),)),
    Command("reload", "Re-read the notes and rebuild the index (admins only).",
            _reload, admin=True, slow=True),
    Command("report", "What people asked that the notes missed, and answers voted down "
            "(admins only).", _report,
            (Argument("days", "How many days back (default: all that is kept)", 4,
                      required=False),), admin=True),
    Command("help", "What the bot does and its commands.", _help, slash=False),
)

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}
