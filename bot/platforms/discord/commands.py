"""The slash commands: /ask, /session, /sessions, /reload. Their names and options are the
interface users learn, so change them with care (and a change re-syncs them).

Each command turns its interaction into one ``SummitService`` call and renders the result.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from bot.commands import Requester, SummitService
from bot.config import DiscordConfig
from bot.platforms.discord.admin import is_admin
from bot.platforms.discord.paging import SessionPager
from bot.platforms.discord.render import choices, render
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
    return Requester("discord", str(user.id), is_admin=admin, name=user.name)


def build_tree(client: discord.Client, service: SummitService,
               config: DiscordConfig) -> SummitTree:
    tree = SummitTree(client)

    @tree.command(name="ask", description="Ask a question; the answer quotes the notes.")
    @app_commands.describe(question="e.g. what did the Ceph talk say about CRUSH?")
    async def ask(interaction: discord.Interaction,
                  question: app_commands.Range[str, 1, 500]) -> None:
        task = asyncio.ensure_future(service.ask(question, requester(interaction)))
        try:
            result = await asyncio.wait_for(asyncio.shield(task), DEFER_AFTER_SECONDS)
        except TimeoutError:
            await defer(interaction, ephemeral=False)  # most answers are public hits
            result = await task
        await respond(interaction, render(result))

    @tree.command(name="session", description="One session's details and opening notes.")
    @app_commands.describe(title="The session's title (suggestions appear as you type)")
    async def session(interaction: discord.Interaction,
                      title: app_commands.Range[str, 1, 300]) -> None:
        await respond(interaction, render(await service.session(title)))

    @session.autocomplete("title")
    async def session_titles(interaction: discord.Interaction,
                             current: str) -> list[app_commands.Choice[str]]:
        try:
            return choices(service.autocomplete(current))
        except Exception:  # an empty list beats a failed autocomplete popup
            log.exception("autocomplete of session titles failed")
            return []

    @tree.command(name="sessions", description="List the sessions, optionally filtered.")
    @app_commands.describe(query="Words in the title, speakers, summit, track or tags")
    async def sessions(interaction: discord.Interaction,
                       query: app_commands.Range[str, 1, 100] | None = None) -> None:
        listing = service.sessions(query)
        view = None
        if listing.pages > 1:
            view = SessionPager(service, interaction.user.id, listing)
            view.origin = interaction
        await respond(interaction, render(listing), view=view)

    @tree.command(name="reload", description="Re-read the notes and rebuild the index "
                                             "(server managers only).")
    @app_commands.default_permissions(manage_guild=True)
    async def reload(interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=True)  # a rebuild can take longer than 3 s
        admin = is_admin(interaction, config)  # the client-side gate can be changed
        await respond(interaction, render(await service.reload(requester(interaction,
                                                                         admin=admin))))

    return tree
