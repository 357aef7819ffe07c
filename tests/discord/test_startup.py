"""Login, gateway, intents and command sync: synced only when the commands changed, or on
``summit-bot sync-commands``; the token never reaches the log."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.commands import SummitService
from bot.config import DiscordConfig
from bot.platforms.discord.sync import hash_path
from tests.discord.conftest import start_bot
from tests.discord.fake_discord import (
    APP_ID,
    BOT_USER,
    GUILD_ID,
    MESSAGE_CONTENT_INTENT,
    TOKEN,
    FakeDiscord,
)

COMMANDS = f"/applications/{APP_ID}/commands"


async def test_commands_are_synced_once_then_only_when_changed(
        fake_discord: FakeDiscord, service: SummitService,
        discord_config: DiscordConfig) -> None:
    bot = await start_bot(fake_discord, service, discord_config)
    await bot.stop()
    (put,) = fake_discord.matching("PUT", "/commands")
    assert put.path == COMMANDS
    schema = {c["name"]: c for c in put.json}
    assert sorted(schema) == ["agenda", "ask", "next", "now", "reload", "remind", "reminders",
                             "report", "schedule", "session", "sessions", "speaker"]
    (question,) = schema["ask"]["options"]
    assert question["name"] == "question" and question["required"] and question["type"] == 3
    (title,) = schema["session"]["options"]
    assert title["autocomplete"] is True
    (query,) = schema["sessions"]["options"]
    assert query["required"] is False
    assert schema["reload"]["options"] == []
    assert schema["report"]["default_member_permissions"] == 1 << 5  # Manage Server
    assert hash_path(service.db_path).read_text().strip()

    again = await start_bot(fake_discord, service, discord_config)  # a restart
    await again.stop()
    assert len(fake_discord.matching("PUT", "/commands")) == 1

    discord_config.sync_guild_ids = [GUILD_ID]  # where they go changed: sync again
    moved = await start_bot(fake_discord, service, discord_config)
    await moved.stop()
    puts = fake_discord.matching("PUT", "/commands")
    assert [p.path for p in puts] == [COMMANDS, f"/applications/{APP_ID}/guilds/{GUILD_ID}"
                                                "/commands"]
    assert {c["name"] for c in puts[1].json} == set(schema)


async def test_token_is_used_but_never_logged(fake_discord: FakeDiscord,
                                             service: SummitService,
                                             discord_config: DiscordConfig,
                                             caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        bot = await start_bot(fake_discord, service, discord_config)
        await fake_discord.interact(fake_discord.slash("ask", question="CRUSH"))
        await bot.stop()
    assert fake_discord.identifies[0]["token"] == TOKEN
    assert caplog.records
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(discord_config)


async def test_intents_ask_for_message_content_only_when_answering_mentions(
        fake_discord: FakeDiscord, service: SummitService,
        discord_config: DiscordConfig) -> None:
    bot = await start_bot(fake_discord, service, discord_config)
    await bot.stop()
    assert fake_discord.identifies[-1]["intents"] & MESSAGE_CONTENT_INTENT

    discord_config.answer_mentions = False
    quiet = await start_bot(fake_discord, service, discord_config)
    try:
        assert not fake_discord.identifies[-1]["intents"] & MESSAGE_CONTENT_INTENT
        ignored = fake_discord.message(f"<@{APP_ID}> CRUSH?", mentions=(BOT_USER,))
        await fake_discord.dispatch("MESSAGE_CREATE", ignored)
        await fake_discord.interact(fake_discord.slash("ask", question="CRUSH"))  # a barrier
        assert not fake_discord.matching("POST", "/messages")
    finally:
        await quiet.stop()


async def test_refused_message_content_intent_falls_back_to_slash_commands(
        fake_discord: FakeDiscord, service: SummitService,
        discord_config: DiscordConfig, caplog: pytest.LogCaptureFixture) -> None:
    fake_discord.refuse_message_content = True  # not enabled in the Developer Portal
    bot = await start_bot(fake_discord, service, discord_config)
    try:
        first, second = fake_discord.identifies
        assert first["intents"] & MESSAGE_CONTENT_INTENT
        assert not second["intents"] & MESSAGE_CONTENT_INTENT
        assert "message-content intent is not enabled" in caplog.text
        sent = await fake_discord.interact(fake_discord.slash("ask", question="CRUSH"))
        assert sent.json["type"] == 4
    finally:
        await bot.stop()


def _run_cli(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, env=env)
    return result.exit_code, result.output


async def test_sync_commands_cli(fake_discord: FakeDiscord, service: SummitService,
                                 discord_config: DiscordConfig, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # serve-style logging setup would leave a handler on the closed CliRunner stream.
    monkeypatch.setattr("bot.logsetup.setup_logging", lambda config: None)
    env = {"DISCORD_TOKEN": TOKEN, "SUMMIT_BOT_CORPUS": str(tmp_path),
           "DISCORD_API_BASE_URL": fake_discord.api_base,
           "DISCORD_GATEWAY_URL": fake_discord.gateway_url}
    db = str(service.db_path)
    # The CLI runs its own event loop, so it runs in a thread while the fake serves here.
    code, output = await asyncio.wait_for(asyncio.to_thread(
        _run_cli, ["sync-commands", "--db", db, "--guild", str(GUILD_ID)], env), 30)
    assert code == 0, output
    assert f"to server {GUILD_ID}" in output
    (put,) = fake_discord.matching("PUT", "/commands")
    assert put.path == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
    assert not hash_path(service.db_path).exists()  # a one-off: serve's targets unchanged

    code, output = await asyncio.wait_for(asyncio.to_thread(
        _run_cli, ["sync-commands", "--db", db], env), 30)
    assert code == 0, output
    assert fake_discord.matching("PUT", "/commands")[-1].path == COMMANDS
    assert TOKEN not in output

    bot = await start_bot(fake_discord, service, discord_config)  # remembered: no re-sync
    await bot.stop()
    assert len(fake_discord.matching("PUT", "/commands")) == 2


def test_sync_commands_cli_needs_a_token(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["sync-commands", "--db", str(tmp_path / "x.db")],
                                env={"DISCORD_TOKEN": ""})
    assert result.exit_code != 0
    assert "DISCORD_TOKEN" in result.output


async def test_a_dropped_gateway_is_one_warning_and_resumes(
        fake_discord: FakeDiscord, service: SummitService, discord_config: DiscordConfig,
        caplog: pytest.LogCaptureFixture) -> None:
    bot = await start_bot(fake_discord, service, discord_config)
    try:
        caplog.set_level(logging.INFO)
        fake_discord.refuse_gateway = 1  # the first reconnect fails: discord.py retries
        await fake_discord.drop_gateway()
        await fake_discord.wait_until(lambda: fake_discord.resumes == 1, timeout=20)
    finally:
        await bot.stop()
    discord_lines = [r for r in caplog.records if r.name.startswith("discord")]
    dropped = [r for r in discord_lines if "connection dropped" in r.getMessage()]
    assert len(dropped) == 1 and dropped[0].levelno == logging.WARNING
    assert dropped[0].exc_info is None and "reconnect" in dropped[0].getMessage()
    assert not [r for r in discord_lines if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if "PyNaCl" in r.getMessage()]
