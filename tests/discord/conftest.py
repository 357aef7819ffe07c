"""Fixtures: the fake Discord API with discord.py pointed at it, and a running bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import discord.gateway
import discord.http
import pytest
from pydantic import SecretStr

from bot.commands import SummitService
from bot.config import DiscordConfig
from bot.platforms.discord.client import DiscordPlatform
from tests.discord.fake_discord import ADMIN_ROLE_ID, TOKEN, FakeDiscord

WAIT = 10.0  # seconds: every wait in these tests is bounded
DISCORD_API = discord.http.Route.BASE
DISCORD_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The fake API on 127.0.0.1. discord.py's own URLs stay Discord's: the bot is pointed
    at the fake by its config (``discord_config``), as a deployment behind a proxy would be."""
    fake = FakeDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
        # Nothing was pointed at the fake process-wide (bot/platforms/discord/endpoints.py).
        assert discord.http.Route.BASE == DISCORD_API
        assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == DISCORD_GATEWAY


@pytest.fixture
def discord_config(fake_discord: FakeDiscord) -> DiscordConfig:
    return DiscordConfig(token=SecretStr(TOKEN), admin_role_ids=[ADMIN_ROLE_ID],
                         ask_cooldown_seconds=0, api_base_url=fake_discord.api_base,
                         gateway_url=fake_discord.gateway_url)


@dataclass
class Bot:
    platform: DiscordPlatform
    task: asyncio.Task[None]

    async def stop(self) -> None:
        await self.platform.close()
        await asyncio.wait_for(self.task, WAIT)



async def start_bot(fake: FakeDiscord, service: SummitService, config: DiscordConfig) -> Bot:
    """Run the platform as ``serve`` would and wait until it is connected."""
    platform = DiscordPlatform(service, config, guild_ready_timeout=0.2)
    task = asyncio.create_task(platform.run())

    async def connected() -> None:
        while not platform.connected:
            if task.done():
                task.result()  # raises what stopped it
                raise AssertionError("the platform stopped before connecting")
            await asyncio.sleep(0.02)

    await asyncio.wait_for(connected(), WAIT)
    return Bot(platform, task)


@pytest.fixture
async def bot(fake_discord: FakeDiscord, service: SummitService,
              discord_config: DiscordConfig) -> AsyncIterator[Bot]:
    running = await start_bot(fake_discord, service, discord_config)
    try:
        yield running
    finally:
        await running.stop()
