"""Paging ``/sessions`` (and the report, and ``/reminders`` with its "Cancel N" buttons)
with buttons that only the person who asked may press.

The list's state (query, page, owner) lives in the view in memory; after ``TIMEOUT`` the
buttons are removed, because the interaction token behind the message expires after 15
minutes and a restart forgets the view anyway.
"""

from __future__ import annotations

import contextlib
import logging

import discord
from discord.utils import escape_markdown

from bot.commands import SummitService
from bot.commands.results import Notice, ReminderList, Requester, SessionList
from bot.commands.table import REMINDERS_OFF
from bot.platforms.discord.render import (
    CONTENT_LIMIT,
    NO_MENTIONS,
    NOT_YOUR_LIST,
    NOT_YOUR_REMINDERS,
    clip,
    list_message,
    reminder_list_message,
)
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


CANCELS_PER_ROW = 5
PAGER_ROW = 4  # below at most 4 rows of 5 "Cancel N" buttons (a message holds 5 rows)


class CancelButton(discord.ui.Button["ReminderPager"]):
    """"Cancel N": the reminder's id is in the button; that it is the presser's own is
    checked by the view (its owner) and again by the database query."""

    def __init__(self, number: int, reminder_id: int, row: int):
        super().__init__(label=f"Cancel {number}", style=discord.ButtonStyle.danger,
                         custom_id=f"summit:unremind:{reminder_id}", row=row)
        self.reminder_id = reminder_id

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.cancel(interaction, self.reminder_id)


class ReminderPager(OwnedPager):
    """``/reminders``: a page of someone's reminders, a "Cancel N" button for each, and
    Previous / Next when there are several pages. Each press reads the list again (it may
    have changed meanwhile: a reminder sent, one set elsewhere)."""

    WHAT = "/reminders"
    NOT_YOURS = NOT_YOUR_REMINDERS

    def __init__(self, service: SummitService, owner: Requester, owner_id: int,
                 listing: ReminderList):
        super().__init__(owner_id, listing.page, listing.pages)
        self.service = service
        self.owner = owner
        self._cancels: list[CancelButton] = []
        for button in (self.previous, self.next):  # placed below the cancel buttons
            self.remove_item(button)
            button.row = PAGER_ROW
        self._fill(listing)

    def _fill(self, listing: ReminderList) -> None:
        for button in self._cancels:
            self.remove_item(button)
        first = listing.page * listing.per_page + 1
        self._cancels = [CancelButton(first + n, reminder.id, n // CANCELS_PER_ROW)
                         for n, reminder in enumerate(listing.shown)]
        for button in self._cancels:
            self.add_item(button)
        several = listing.pages > 1
        for pager_button in (self.previous, self.next):
            if several and pager_button not in self.children:
                self.add_item(pager_button)
            elif not several:
                self.remove_item(pager_button)
        self._set_page(listing.page, listing.pages)

    async def cancel(self, interaction: discord.Interaction, reminder_id: int) -> None:
        desk = self.service.reminders
        if desk is None:
            await self._replace(interaction, REMINDERS_OFF.text)
            return
        done = await desk.cancel_id(self.owner, reminder_id)
        await self._show(interaction, self.page, note=done.text)

    async def _show(self, interaction: discord.Interaction, page: int,
                    note: str | None = None) -> None:
        desk = self.service.reminders
        listing = await desk.list(self.owner, page) if desk is not None else REMINDERS_OFF
        if isinstance(listing, Notice):  # none left (or the database is failing)
            await self._replace(interaction, " ".join(t for t in (note, listing.text) if t))
            return
        self._fill(listing)
        message = reminder_list_message(listing, note)
        await interaction.response.edit_message(content=message.content, embed=message.embed,
                                                view=self, allowed_mentions=NO_MENTIONS)

    async def _replace(self, interaction: discord.Interaction, text: str) -> None:
        """The list gives way to one sentence, without buttons."""
        self.stop()
        await interaction.response.edit_message(content=clip(escape_markdown(text),
                                                             CONTENT_LIMIT), embed=None,
                                                view=None, allowed_mentions=NO_MENTIONS)
