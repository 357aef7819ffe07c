"""The slash commands, derived from the command table (bot/commands/table.py): one app
command per entry that is offered on Discord, with its argument's limits as option limits.
Their names and options are the interface users learn, so change them with care (and a
change re-syncs them).

Each command turns its interaction into one table call and renders the result.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

import discord
from discord import app_commands

from bot.commands import AnswerReply, Requester, SessionList, SummitService, table
from bot.commands.results import ReminderList, ReportReply
from bot.commands.table import Argument, Call, Command
from bot.config import DiscordConfig
from bot.platforms.discord.admin import is_admin
from bot.platforms.discord.feedback import vote_view
from bot.platforms.discord.paging import OwnedPager, SessionPager, TextPager
from bot.platforms.discord.reminders import reminder_view
from bot.platforms.discord.render import (
    CHOICES_LIMIT,
    choices,
    render,
    report_pages,
)
from bot.platforms.discord.respond import defer, respond, respond_failure

log = logging.getLogger(__name__)

# An answer normally takes milliseconds; if one takes longer, acknowledge before Discord's
# 3-second limit (read at call time, so tests can shorten it).
DEFER_AFTER_SECONDS = 2.0


class SummitTree(app_commands.CommandTree[discord.Client]):
    """A command tree whose failures get one apologetic sentence, and the log the rest."""

    async def on_error(self, interaction: discord.Interaction,
                       error: app_commands.AppCommandError, /) -> None:
        name = interaction.command.name if interaction.command else "?"
        log.error("/%s failed", name, exc_info=error)
        await respond_failure(interaction)


def requester(interaction: discord.Interaction, *, admin: bool = False) -> Requester:
    user = interaction.user
    return Requester("discord", str(user.id), is_admin=admin, name=user.name,
                     place=str(interaction.guild_id or interaction.channel_id),
                     direct=interaction.guild_id is None)


def _option_type(arg: Argument) -> Any:
    """A text option with its length limits, an integer with its range (Discord refuses a
    value outside it before the bot sees it), or a true/false choice."""
    if arg.kind == "integer":
        if arg.minimum is None and arg.maximum is None:
            return int
        return app_commands.Range[int, arg.minimum, arg.maximum]
    if arg.kind == "boolean":
        return bool
    return app_commands.Range[str, 1, arg.max_length]


def _signature(command: Command) -> inspect.Signature:
    """The callback signature discord.py reads the command's options from."""
    params = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=discord.Interaction)]
    for arg in command.arguments:
        kind = _option_type(arg)
        params.append(inspect.Parameter(
            arg.name, inspect.Parameter.KEYWORD_ONLY,
            annotation=kind if arg.required else kind | None,
            default=inspect.Parameter.empty if arg.required else None))
    return inspect.Signature(params)


def _option_text(value: str | int | bool) -> str:
    """An option's value as the table's calls take it: "15", "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def slash_command(command: Command, service: SummitService,
                  config: DiscordConfig) -> app_commands.Command[Any, Any, None]:
    async def callback(interaction: discord.Interaction,
                       **options: str | int | bool | None) -> None:
        admin = command.admin and is_admin(interaction, config)  # the UI gate can be changed
        given = {a.name: _option_text(value) for a in command.arguments
                 if (value := options.get(a.name)) is not None and value != ""}  # 0 is given
        call = Call(requester(interaction, admin=admin), " ".join(given.values()),
                    options=given)
        if command.slow:  # a rebuild can take longer than 3 s
            await defer(interaction, ephemeral=True)
        task = asyncio.ensure_future(command.run(service, call))
        if command.slow:
            result = await task
        else:
            try:
                result = await asyncio.wait_for(asyncio.shield(task), DEFER_AFTER_SECONDS)
            except TimeoutError:
                await defer(interaction, ephemeral=False)  # most answers are public hits
                result = await task
        view: discord.ui.View | None = None
        pager: OwnedPager | None = None
        if isinstance(result, SessionList) and result.pages > 1:
            pager = SessionPager(service, interaction.user.id, result)
        elif isinstance(result, ReportReply) and len(pages := report_pages(result)) > 1:
            pager = TextPager(interaction.user.id, pages)
        elif isinstance(result, ReminderList):  # "Cancel N" buttons that outlive a restart
            view = reminder_view(result)
        elif isinstance(result, AnswerReply) and result.answer.answered and result.answer_id:
            view = vote_view(result.answer_id)
        if pager is not None:
            pager.origin = interaction  # its buttons are taken away when it times out
            view = pager
        await respond(interaction, render(result), view=view)

    callback.__signature__ = _signature(command)  # type: ignore[attr-defined]
    if command.arguments:
        callback = app_commands.describe(
            **{a.name: a.description for a in command.arguments})(callback)
    slash: app_commands.Command[Any, Any, None] = app_commands.Command(
        name=command.name, description=command.summary, callback=callback)
    if command.admin:
        slash.default_permissions = discord.Permissions(manage_guild=True)
    for arg in command.arguments:
        if arg.completes is not None:
            slash.autocomplete(arg.name)(_completer(service, arg.completes))
    return slash


def _completer(service: SummitService, source: str) -> Any:
    """An autocomplete callback offering ``source`` (titles, rooms, tracks, talks, …)."""
    async def complete(interaction: discord.Interaction,
                       current: str) -> list[app_commands.Choice[str]]:
        try:
            return choices(service.choices(source, current, CHOICES_LIMIT))
        except Exception:  # an empty list beats a failed autocomplete popup
            log.exception("autocomplete of %s failed", source)
            return []
    return complete


def build_tree(client: discord.Client, service: SummitService,
               config: DiscordConfig) -> SummitTree:
    tree = SummitTree(client)
    for command in table.COMMANDS:
        if command.slash:
            tree.add_command(slash_command(command, service, config))
    return tree
