"""Paging ``/sessions`` with buttons that only the person who asked may press.

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


class SessionPager(discord.ui.View):
    TIMEOUT = 600.0

    def __init__(self, service: SummitService, owner_id: int, listing: SessionList):
        super().__init__(timeout=self.TIMEOUT)
        self.service = service
        self.owner_id = owner_id
        self.query = listing.query
        self.page = listing.page
        self.origin: discord.Interaction | None = None  # the /sessions interaction
        self._update_buttons(listing)

    def _update_buttons(self, listing: SessionList) -> None:
        self.page = listing.page
        self.previous.disabled = listing.page <= 0
        self.next.disabled = listing.page >= listing.pages - 1

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOUR_LIST, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
        return False

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        listing = self.service.sessions(self.query, page)
        assert isinstance(listing, SessionList)  # its query passed the same check before
        self._update_buttons(listing)
        await interaction.response.edit_message(embed=list_message(listing).embed, view=self,
                                                allowed_mentions=NO_MENTIONS)

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction,
                       button: discord.ui.Button[SessionPager]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction,
                   button: discord.ui.Button[SessionPager]) -> None:
        await self._show(interaction, self.page + 1)

    async def on_timeout(self) -> None:
        if self.origin is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.origin.edit_original_response(view=None)

    async def on_error(self, interaction: discord.Interaction, error: Exception,
                       item: discord.ui.Item[SessionPager], /) -> None:
        log.error("paging /sessions failed", exc_info=error)
        await respond_failure(interaction)


class TextPager(discord.ui.View):
    """Pages of a long private text (the organizers' report), turned by its owner."""

    TIMEOUT = 600.0

    def __init__(self, owner_id: int, pages: list[str]):
        super().__init__(timeout=self.TIMEOUT)
        self.owner_id = owner_id
        self.pages = pages
        self.page = 0
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOUR_LIST, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
        return False

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = min(max(page, 0), len(self.pages) - 1)
        self._update_buttons()
        await interaction.response.edit_message(content=self.pages[self.page], view=self,
                                                allowed_mentions=NO_MENTIONS)

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction,
                       button: discord.ui.Button[TextPager]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction,
                   button: discord.ui.Button[TextPager]) -> None:
        await self._show(interaction, self.page + 1)

    async def on_error(self, interaction: discord.Interaction, error: Exception,
                       item: discord.ui.Item[TextPager], /) -> None:
        log.error("paging the report failed", exc_info=error)
        await respond_failure(interaction)
