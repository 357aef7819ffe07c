"""The Discord platform: a discord.py client wired to the service, run by ``serve``.

The token is handed to discord.py and nowhere else: it is never logged or shown.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.commands import SummitService
from bot.config import DiscordConfig
from bot.platforms.discord.commands import SummitTree, build_tree
from bot.platforms.discord.endpoints import route_client
from bot.platforms.discord.feedback import VoteButton
from bot.platforms.discord.logfilter import quiet_discord_log
from bot.platforms.discord.mentions import answer_mention
from bot.platforms.discord.reminders import ReminderButton
from bot.platforms.discord.render import NO_MENTIONS, post_text
from bot.platforms.discord.sync import hash_path, schema_hash, store_hash, sync, sync_if_changed
from bot.reminders.delivery import Delivery

log = logging.getLogger(__name__)

# Discord's JSON codes for "this person cannot be written to": 10013 unknown user, 50007
# cannot send messages to this user (DMs closed, no shared server, blocked), 50033 invalid
# recipient. A 40003 ("opening direct messages too fast") is a rate limit: try again.
REFUSED_CODES = frozenset({10013, 50007, 50033})
TOO_FAST_CODE = 40003


def intents_for(config: DiscordConfig) -> discord.Intents:
    """Only what the bot uses: guilds for slash commands, messages for mentions."""
    intents = discord.Intents.none()
    intents.guilds = True
    if config.answer_mentions:
        intents.guild_messages = True
        intents.dm_messages = True
        intents.message_content = True  # privileged: enable it in the Developer Portal
    return intents


class SummitClient(discord.Client):
    """discord.py's client with our command tree, mention handling and connection state."""

    def __init__(self, service: SummitService, config: DiscordConfig, *,
                 intents: discord.Intents, guild_ready_timeout: float, sync_on_start: bool):
        super().__init__(intents=intents, allowed_mentions=NO_MENTIONS,
                         guild_ready_timeout=guild_ready_timeout)
        route_client(self, config)
        self.service = service
        self.config = config
        self.tree: SummitTree = build_tree(self, service, config)
        # vote and /reminders buttons work on messages sent before a restart
        self.add_dynamic_items(VoteButton, ReminderButton)
        self.sync_on_start = sync_on_start
        self.online = False

    async def setup_hook(self) -> None:
        """After login, before the gateway: the application id is known, so sync here
        (once per start, not on every reconnect's ``on_ready``)."""
        if self.sync_on_start:
            await sync_if_changed(self.tree, self.service.db_path, self.config.sync_guild_ids)

    async def on_ready(self) -> None:
        self.online = True
        log.info("connected to Discord as %s (%d servers)", self.user, len(self.guilds))

    async def on_resumed(self) -> None:
        self.online = True

    async def on_disconnect(self) -> None:
        self.online = False

    async def on_message(self, message: discord.Message) -> None:
        if self.config.answer_mentions and self.user is not None:
            await answer_mention(message, self.user, self.service)


class DiscordPlatform:
    """What ``serve`` runs: connects, answers until ``close()``, reconnects on its own."""

    name = "discord"

    def __init__(self, service: SummitService, config: DiscordConfig, *,
                 guild_ready_timeout: float = 2.0, sync_on_start: bool = True):
        if config.token is None:
            raise ValueError("DiscordPlatform needs discord.token (DISCORD_TOKEN)")
        self.service = service
        self.config = config
        self.guild_ready_timeout = guild_ready_timeout
        self.sync_on_start = sync_on_start
        self.client: SummitClient | None = None
        self._closed = False
        quiet_discord_log()

    def _new_client(self, intents: discord.Intents) -> SummitClient:
        self.client = SummitClient(self.service, self.config, intents=intents,
                                   guild_ready_timeout=self.guild_ready_timeout,
                                   sync_on_start=self.sync_on_start)
        return self.client

    @property
    def connected(self) -> bool:
        client = self.client
        return client is not None and client.online and not client.is_closed()

    def _token(self) -> str:
        assert self.config.token is not None
        return self.config.token.get_secret_value()

    async def run(self) -> None:
        """Run until closed. If the Developer Portal refuses the message-content intent,
        carry on without it: slash commands work, and Discord still shows the bot the text
        of messages that mention it."""
        intents = intents_for(self.config)
        while not self._closed:
            client = self._new_client(intents)
            try:
                async with client:
                    await client.start(self._token())
                return
            except discord.PrivilegedIntentsRequired:
                if not intents.message_content:
                    raise
                log.warning("the message-content intent is not enabled for this bot in the "
                            "Discord Developer Portal; continuing without it (slash commands "
                            "and mentions still work; enable it to silence this warning)")
                intents.message_content = False

    async def close(self) -> None:
        self._closed = True
        if self.client is not None:
            await self.client.close()

    async def post(self, target: str, text: str) -> bool:
        """A post to a channel (schedule announcements): escaped, within Discord's length,
        pinging no one; False when the channel is unknown or refuses it."""
        client = self.client
        if client is None or not self.connected or not target.isdigit():
            return False
        try:
            channel = client.get_channel(int(target)) or await client.fetch_channel(
                int(target))
            if not isinstance(channel, discord.abc.Messageable):
                log.warning("announcements: Discord channel %s cannot take messages", target)
                return False
            await channel.send(post_text(text), allowed_mentions=NO_MENTIONS)
        except discord.DiscordException as exc:
            log.warning("announcements: Discord channel %s refused the post (%s)", target,
                        type(exc).__name__)
            return False
        return True

    async def send_direct(self, user: str, text: str, ref: str) -> Delivery:
        """A direct message to a person (reminders; bot/reminders/delivery.py): the DM
        channel opened (``POST /users/@me/channels``, cached after), the text escaped,
        within Discord's length, pinging no one, sent with ``ref`` as its nonce, which
        discord.py sends with ``enforce_nonce``: sent twice with one ref (a crash between
        sending and forgetting the reminder), Discord keeps one message."""
        client = self.client
        if not user.isdigit():
            return "refused"  # not a Discord user id: no retry will help
        if client is None or client.is_closed() or client.user is None:
            # not logged in; once it is, DMs go over REST, even while the gateway is still
            # waiting for its servers after READY (/remind can arrive then)
            return "failed"
        try:
            channel = await client.create_dm(discord.Object(int(user)))
            await channel.send(post_text(text), allowed_mentions=NO_MENTIONS, nonce=ref)
        except discord.HTTPException as exc:
            closed = isinstance(exc, discord.NotFound | discord.Forbidden)
            refused = exc.code in REFUSED_CODES or (closed and exc.code != TOO_FAST_CODE)
            log.warning("reminders: Discord %s a direct message (HTTP %s, code %s)",
                        "refused" if refused else "did not take", exc.status, exc.code)
            return "refused" if refused else "failed"
        except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:  # timeouts too
            log.warning("reminders: a Discord direct message failed (%s)",
                        type(exc).__name__)
            return "failed"
        return "sent"

    async def sync_commands(self, guild_id: int | None = None) -> list[str]:
        """Log in (no gateway), upload the commands and close: ``summit-bot
        sync-commands``. Without ``guild_id`` it syncs where ``serve`` would and remembers
        the hash, so the next start does not sync again."""
        client = self._new_client(intents_for(self.config))
        client.sync_on_start = False
        targets = [guild_id] if guild_id is not None else list(self.config.sync_guild_ids)
        async with client:
            await client.login(self._token())
            names = await sync(client.tree, targets)
            if guild_id is None:
                digest = schema_hash(client.tree, client.application_id, targets)
                store_hash(hash_path(self.service.db_path), digest)
        return names
