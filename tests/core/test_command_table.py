"""The command table drives every platform: a new entry shows up in the Discord tree, the
Matrix and console parser and the help text without touching them."""

from __future__ import annotations

import discord
import pytest
from pydantic import SecretStr

from bot.commands import Notice, Requester, SummitService
from bot.commands.results import Reply
from bot.commands.table import BY_NAME, COMMANDS, Argument, Call, Command
from bot.commands.text import help_text, render_text
from bot.config import DiscordConfig
from bot.platforms.console import ConsolePlatform
from bot.platforms.discord.commands import build_tree
from bot.platforms.matrix.parse import Request, parse_request


async def _echo(service: SummitService, call: Call) -> Reply:
    return Notice(f"echo: {call.argument}", kind="info")


ECHO = Command("echo", "Say it back.", _echo, (Argument("words", "What to say", 40),))


@pytest.fixture
def with_echo(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.commands.table as table

    monkeypatch.setattr(table, "COMMANDS", (*COMMANDS, ECHO))
    monkeypatch.setitem(BY_NAME, "echo", ECHO)


@pytest.mark.usefixtures("with_echo")
async def test_one_entry_reaches_every_platform(service: SummitService) -> None:
    client = discord.Client(intents=discord.Intents.none())
    tree = build_tree(client, service, DiscordConfig(token=SecretStr("t")))
    echo = tree.get_command("echo")
    assert echo is not None and echo.description == "Say it back."
    (option,) = echo.to_dict(tree)["options"]
    assert option["name"] == "words" and option["max_length"] == 40
    assert tree.get_command("help") is None  # not a slash command

    assert parse_request("!echo hi there", prefix="!", user_id="@b:x",
                         display_name=None) == Request("echo", "hi there")
    console = ConsolePlatform(service)
    assert await console.handle("!echo hi") == "echo: hi"
    assert "!echo <words> — Say it back" in help_text(service.help())


async def test_admin_commands_are_refused_on_our_side(service: SummitService) -> None:
    """Whatever a platform's UI shows, the service refuses a non-admin."""
    for command in COMMANDS:
        if command.admin:
            reply = await command.run(service, Call(Requester("test", "u", is_admin=False)))
            assert isinstance(reply, Notice) and reply.kind == "refused"


async def test_limits_come_from_the_table(service: SummitService) -> None:
    client = discord.Client(intents=discord.Intents.none())
    tree = build_tree(client, service, DiscordConfig(token=SecretStr("t")))
    for command in COMMANDS:
        if command.slash and command.arguments:
            slash = tree.get_command(command.name)
            assert slash is not None
            options = slash.to_dict(tree)["options"]
            assert [o["name"] for o in options] == [a.name for a in command.arguments]
            for option, argument in zip(options, command.arguments, strict=True):
                if argument.kind == "text":
                    assert option["max_length"] == argument.max_length
                elif argument.kind == "integer":  # a range instead of a length
                    assert option.get("min_value") == argument.minimum
                    assert option.get("max_value") == argument.maximum
                assert option["required"] == argument.required
                assert option.get("autocomplete", False) == (argument.completes is not None)
    too_long = "x" * (BY_NAME["ask"].argument.max_length + 1)  # type: ignore[union-attr]
    reply = await BY_NAME["ask"].run(service, Call(Requester("test", "u"), too_long))
    assert "characters" in render_text(reply)
