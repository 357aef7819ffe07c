"""Paging ``/sessions`` (and the report) with buttons that only the person who asked may
press. (``/reminders`` has buttons that outlive a restart: bot/platforms/discord/reminders.py.)

The list's state (query, page, owner) lives in the view in memory; after ``TIMEOUT`` the
buttons are removed, because the interaction token behind the message expires after 15
minutes and a restart forgets the view anyway.
"""

from __future__ import annotations

import contextlib
import logging

import discord

from bot.commands import SummitService
from bot.commands.results import SessionList
from bot.platforms.discord.render import NO_MENTIONS, NOT_YOUR_LIST, list_message
from bot.platforms.discord.respond import respond_failure

log = logging.getLogger(__name__)


class OwnedPager(discord.ui.View):
    """Previous / Next buttons that only the person who asked may press; a subclass says
    what a page shows (``_show``)."""

    TIMEOUT = 600.0
    WHAT = "a list"  # for the log, when turning a page fails
    NOT_YOURS = NOT_YOUR_LIST  # said to anyone else who presses

    def __init__(self, owner_id: int, page: int, pages: int):
        super().__init__(timeout=self.TIMEOUT)
        self.owner_id = owner_id
        self.origin: discord.Interaction | None = None  # the command's interaction
        self._set_page(page, pages)

    def _set_page(self, page: int, pages: int) -> None:
        self.page, self.pages = page, pages
        self.previous.disabled = page <= 0
        self.next.disabled = page >= pages - 1

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(self.NOT_YOURS, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
        return False

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        raise NotImplementedError

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction,
                       button: discord.ui.Button[OwnedPager]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction,
                   button: discord.ui.Button[OwnedPager]) -> None:
        await self._show(interaction, self.page + 1)

    async def on_timeout(self) -> None:
        if self.origin is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.origin.edit_original_response(view=None)

    async def on_error(self, interaction: discord.Interaction, error: Exception,
                       item: discord.ui.Item[OwnedPager], /) -> None:
        log.error("paging %s failed", self.WHAT, exc_info=error)
        await respond_failure(interaction)


class SessionPager(OwnedPager):
    """``/sessions``, a page of sessions at a time."""

    WHAT = "/sessions"

    def __init__(self, service: SummitService, owner_id: int, listing: SessionList):
        super().__init__(owner_id, listing.page, listing.pages)
        self.service = service
        self.query = listing.query

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        listing = self.service.sessions(self.query, page)
        assert isinstance(listing, SessionList)  # its query passed the same check before
        self._set_page(listing.page, listing.pages)
        await interaction.response.edit_message(embed=list_message(listing).embed, view=self,
                                                allowed_mentions=NO_MENTIONS)


class TextPager(OwnedPager):
    """Pages of a long private text (the organizers' report)."""

    WHAT = "the report"

    def __init__(self, owner_id: int, pages: list[str]):
        super().__init__(owner_id, 0, len(pages))
        self.texts = pages

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self._set_page(min(max(page, 0), self.pages - 1), self.pages)
        await interaction.response.edit_message(content=self.texts[self.page], view=self,
                                                allowed_mentions=NO_MENTIONS)
