"""``/reminders`` on Discord: a page of someone's reminders, a "Cancel N" button for each,
and Previous / Next when there are several pages.

The buttons outlive a restart and never time out: each custom id carries all a press needs
(``summit:reminders:cancel:<reminder id>:<page shown>``,
``summit:reminders:page:<page to show>:<page shown>``) and the client registers
``ReminderButton`` as a dynamic item, so discord.py rebuilds the button from the id of any
press, with no view kept in memory. A press reads the list again from the database (it may
have changed meanwhile: a reminder sent, one set elsewhere) and edits the message in place.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

import discord
from discord.utils import escape_markdown

from bot.commands import Requester, SummitService
from bot.commands.results import Notice, ReminderList
from bot.commands.table import REMINDERS_OFF
from bot.platforms.discord.render import (
    CONTENT_LIMIT,
    NO_MENTIONS,
    NOT_YOUR_REMINDERS,
    clip,
    reminder_list_message,
)
from bot.platforms.discord.respond import respond_failure

log = logging.getLogger(__name__)

Action = Literal["cancel", "page"]

CANCELS_PER_ROW = 5
PAGER_ROW = 4  # below at most 4 rows of 5 "Cancel N" buttons (a message holds 5 rows)
MAX_CANCELS = CANCELS_PER_ROW * PAGER_ROW  # REMINDERS_PAGE is 20: a button for each


def _custom_id(action: Action, value: int, page: int) -> str:
    return f"summit:reminders:{action}:{value}:{page}"  # at most 54 of Discord's 100


class ReminderButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                     template=r"summit:reminders:(?P<action>cancel|page):"
                              r"(?P<value>\d{1,20}):(?P<page>\d{1,9})"):
    """A "Cancel N" (``value``: the reminder's id) or Previous / Next (``value``: the page
    to show) button; ``page`` is the page the list was on. That a cancelled reminder is the
    presser's own is checked here (the list's owner) and again by the database query."""

    def __init__(self, action: Action, value: int, page: int, *, label: str | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary,
                 emoji: str | None = None, disabled: bool = False, row: int | None = None):
        super().__init__(discord.ui.Button(label=label, style=style, emoji=emoji,
                                           disabled=disabled, row=row,
                                           custom_id=_custom_id(action, value, page)))
        self.action: Action = action
        self.value = value
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str], /
                             ) -> ReminderButton:
        action: Action = "cancel" if match["action"] == "cancel" else "page"
        return cls(action, int(match["value"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self._press(interaction)
        except Exception as error:  # discord.py would only log it; the presser hears too
            log.error("a /reminders button failed", exc_info=error)
            await respond_failure(interaction)

    async def _press(self, interaction: discord.Interaction) -> None:
        if not _pressed_by_owner(interaction):
            await interaction.response.send_message(NOT_YOUR_REMINDERS, ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return
        service: SummitService | None = getattr(interaction.client, "service", None)
        if service is None:
            return
        desk = service.reminders
        if desk is None:
            await _replace(interaction, REMINDERS_OFF.text)
            return
        user = interaction.user
        presser = Requester("discord", str(user.id), name=user.name,
                            place=str(interaction.guild_id or interaction.channel_id),
                            direct=interaction.guild_id is None)
        note: str | None = None
        page = self.value
        if self.action == "cancel":
            note = (await desk.cancel_id(presser, self.value)).text
            page = self.page
        listing = await desk.list(presser, page)  # the page is clamped to what is left
        if isinstance(listing, Notice):  # none left (or the database is failing)
            await _replace(interaction, " ".join(t for t in (note, listing.text) if t))
            return
        message = reminder_list_message(listing, note)
        await interaction.response.edit_message(content=message.content, embed=message.embed,
                                                view=reminder_view(listing),
                                                allowed_mentions=NO_MENTIONS)


def _pressed_by_owner(interaction: discord.Interaction) -> bool:
    """Whether the presser is the person the list was made for. The list is private, so
    nobody else should see it, but that is Discord's promise; this is ours."""
    message = interaction.message
    asked = message.interaction_metadata if message is not None else None
    return asked is None or asked.user.id == interaction.user.id


async def _replace(interaction: discord.Interaction, text: str) -> None:
    """The list gives way to one sentence, without buttons."""
    await interaction.response.edit_message(content=clip(escape_markdown(text), CONTENT_LIMIT),
                                            embed=None, view=None,
                                            allowed_mentions=NO_MENTIONS)


def reminder_view(listing: ReminderList) -> discord.ui.View:
    """The buttons under a page of reminders (no timeout: they stay until the message
    goes, and work after a restart)."""
    view = discord.ui.View(timeout=None)
    first = listing.page * listing.per_page + 1
    for n, reminder in enumerate(listing.shown[:MAX_CANCELS]):
        view.add_item(ReminderButton("cancel", reminder.id, listing.page,
                                     label=f"Cancel {first + n}",
                                     style=discord.ButtonStyle.danger,
                                     row=n // CANCELS_PER_ROW))
    if listing.pages > 1:  # the two ids differ: the pages they show differ
        page, last = listing.page, listing.pages - 1
        view.add_item(ReminderButton("page", max(page - 1, 0), page, label="Previous",
                                     emoji="◀️", disabled=page <= 0, row=PAGER_ROW))
        view.add_item(ReminderButton("page", min(page + 1, last), page, label="Next",
                                     emoji="▶️", disabled=page >= last, row=PAGER_ROW))
    return view
