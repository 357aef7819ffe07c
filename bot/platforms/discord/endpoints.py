"""Where discord.py talks to: Discord itself unless configured otherwise.

A large bot may route REST calls through a rate-limiting proxy, and an integration test
points the bot at a fake API on 127.0.0.1; both set ``discord.api_base_url`` and
``discord.gateway_url``. discord.py reads these from class attributes, so they are set
once per process, before the client connects.
"""

from __future__ import annotations

import logging

import discord.gateway
import discord.http
import yarl

from bot.config import DiscordConfig

log = logging.getLogger(__name__)


def apply_endpoints(config: DiscordConfig) -> None:
    """Point discord.py's REST client and gateway at the configured URLs, if any."""
    if config.api_base_url:
        discord.http.Route.BASE = config.api_base_url.rstrip("/")
        log.info("Discord REST API at %s", discord.http.Route.BASE)
    if config.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)
        log.info("Discord gateway at %s", config.gateway_url)
