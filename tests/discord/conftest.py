"""Fixtures: the fake Discord API with discord.py pointed at it, and a running bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import discord.gateway
import discord.http
import pytest
import yarl
from pydantic import SecretStr

from bot.commands import SummitService
from bot.config import DiscordConfig
from bot.platforms.discord.client import DiscordPlatform
from tests.discord.fake_discord import ADMIN_ROLE_ID, TOKEN, FakeDiscord

WAIT = 10.0  # seconds: every wait in these tests is bounded


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake API, with discord.py's REST base and gateway URL pointed at it (and put
    back afterwards by monkeypatch)."""
    fake = FakeDiscord()
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        yarl.URL(fake.gateway_url))
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def discord_config() -> DiscordConfig:
    return DiscordConfig(token=SecretStr(TOKEN), admin_role_ids=[ADMIN_ROLE_ID],
                         ask_cooldown_seconds=0)


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
