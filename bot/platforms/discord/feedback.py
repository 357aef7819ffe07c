""""Helpful" and "Not it" buttons under every answer, and what a press does.

The buttons outlive a restart: their custom ids carry the answer's id
(``vote:down:3fa9c2e1b07d4c55``) and the client registers the button class as a dynamic
item, so discord.py rebuilds the button from the id of any press. A press is acknowledged
privately at once; "Not it" also shows the asker, privately, what other sessions offered.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord
from discord.utils import escape_markdown

from bot.commands import Requester, SummitService
from bot.feedback.store import Vote
from bot.platforms.discord.render import NO_MENTIONS, clip

log = logging.getLogger(__name__)

VOTE_WAIT_SECONDS = 2.0  # a reply within Discord's 3 s, even when the state file is slow
THANKS_UP = "Thanks, noted as helpful."
THANKS_DOWN = "Thanks, noted."
UNKNOWN = "This answer can no longer be voted on."


def _button(vote: Vote, answer_id: str) -> discord.ui.Button[Any]:
    label, emoji = ("Helpful", "👍") if vote == "up" else ("Not it", "👎")
    return discord.ui.Button(label=label, emoji=emoji, style=discord.ButtonStyle.secondary,
                             custom_id=f"vote:{vote}:{answer_id}")


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                 template=r"vote:(?P<vote>up|down):(?P<answer>[0-9a-f]{1,32})"):
    def __init__(self, vote: Vote, answer_id: str):
        super().__init__(_button(vote, answer_id))
        self.vote: Vote = vote
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str], /
                             ) -> VoteButton:
        return cls("up" if match["vote"] == "up" else "down", match["answer"])

    async def callback(self, interaction: discord.Interaction) -> None:
        service: SummitService | None = getattr(interaction.client, "service", None)
        if service is None:
            return
        user = interaction.user
        requester = Requester("discord", str(user.id), name=user.name,
                              place=str(interaction.guild_id or interaction.channel_id),
                              direct=interaction.guild_id is None)
        try:
            known = await asyncio.wait_for(service.vote(self.answer_id, requester, self.vote),
                                           VOTE_WAIT_SECONDS)
        except TimeoutError:
            known = True  # the vote is queued; thank now rather than miss Discord's 3 s
        if not known:
            text = UNKNOWN
        elif self.vote == "up":
            text = THANKS_UP
        else:
            text = THANKS_DOWN + " " + await self._elsewhere(service)
        await interaction.response.send_message(clip(text, 2000), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    async def _elsewhere(self, service: SummitService) -> str:
        try:
            others, nearest = await asyncio.wait_for(
                service.other_sessions(self.answer_id), VOTE_WAIT_SECONDS / 2)
        except TimeoutError:
            others, nearest = [], []
        if others:
            lines = "\n".join(f"• *{escape_markdown(clip(title, 150))}*: "
                              f"“{escape_markdown(text)}”" for title, text in others[:3])
            return "Other sessions that may answer it:\n" + lines
        if nearest:
            names = "; ".join(escape_markdown(clip(t, 150)) for t in nearest[:3])
            return f"The closest sessions are: {names}."
        return "Try /sessions to find the talk, or ask in other words."


def vote_view(answer_id: str) -> discord.ui.View:
    """The two buttons for one answer (no timeout: they stay until the message goes)."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton("up", answer_id))
    view.add_item(VoteButton("down", answer_id))
    return view
