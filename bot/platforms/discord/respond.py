"""Delivering a rendered reply to an interaction, whatever state its response is in.

Discord allows exactly one initial response per interaction; after a defer the reply is an
edit of the "thinking…" message, and a private reply to a public defer has to replace it
with an ephemeral follow-up (a deferral's visibility cannot be changed afterwards).
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.platforms.discord.render import NO_MENTIONS, Message, failure_message

log = logging.getLogger(__name__)

_DEFERRED = "summit_deferred_ephemeral"  # in interaction.extras: how we deferred, if we did


async def defer(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    """Acknowledge now (Discord's 3-second limit) and remember the visibility chosen."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras[_DEFERRED] = ephemeral


async def respond(interaction: discord.Interaction, message: Message,
                  view: discord.ui.View | None = None) -> None:
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if message.content is not None:
        kwargs["content"] = message.content
    if message.embed is not None:
        kwargs["embed"] = message.embed
    if view is not None:
        kwargs["view"] = view
    file = message.file()
    if not interaction.response.is_done():
        if file is not None:
            kwargs["file"] = file
        await interaction.response.send_message(ephemeral=message.ephemeral, **kwargs)
        return
    deferred: bool | None = interaction.extras.pop(_DEFERRED, None)
    if deferred is not None and (deferred or not message.ephemeral):
        if file is not None:
            kwargs["attachments"] = [file]
        await interaction.edit_original_response(**kwargs)
        return
    if deferred is not None:  # public "thinking…", private reply: replace it
        await interaction.delete_original_response()
    if file is not None:
        kwargs["file"] = file
    await interaction.followup.send(ephemeral=message.ephemeral, **kwargs)


async def respond_failure(interaction: discord.Interaction) -> None:
    """The one-sentence apology; the traceback has gone to the log, never to the chat."""
    try:
        await respond(interaction, failure_message())
    except discord.HTTPException:
        log.warning("could not tell the user about a failure (interaction %s)",
                    interaction.id)
