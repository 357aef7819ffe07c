"""Votes on answers through the fake Discord: the buttons on the wire, a press recorded and
acknowledged privately, "Not it" showing other sessions, votes surviving a restart, and
/report refused to non-admins."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.commands import SummitService
from bot.config import DiscordConfig
from bot.platforms.discord.feedback import THANKS_DOWN, THANKS_UP, UNKNOWN
from tests.discord.conftest import Bot, start_bot
from tests.discord.fake_discord import ALICE, BOB, FakeDiscord, member

EPHEMERAL = 64
CEPH = "what did the Ceph talk say about CRUSH?"
MANAGE_GUILD = str(1 << 5)


@pytest.fixture
async def feedback_bot(fake_discord: FakeDiscord, feedback_service: SummitService,
                       discord_config: DiscordConfig) -> AsyncIterator[Bot]:
    running = await start_bot(fake_discord, feedback_service, discord_config)
    try:
        yield running
    finally:
        await running.stop()


def _buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (row,) = message["components"]
    return {b["label"]: b for b in row["components"]}


async def _answer(fake: FakeDiscord) -> tuple[dict[str, Any], dict[str, Any]]:
    source = fake.slash("ask", question=CEPH)
    await fake.interact(source)
    return source, fake.responses[source["id"]]


@pytest.mark.usefixtures("feedback_bot")
async def test_an_answer_carries_vote_buttons_and_a_press_is_recorded(
        fake_discord: FakeDiscord, feedback_service: SummitService) -> None:
    source, shown = await _answer(fake_discord)
    buttons = _buttons(shown)
    assert set(buttons) == {"Helpful", "Not it"}
    up, down = buttons["Helpful"]["custom_id"], buttons["Not it"]["custom_id"]
    assert up.startswith("vote:up:") and down == up.replace(":up:", ":down:")

    pressed = await fake_discord.interact(fake_discord.button(up, shown, source, member(BOB)))
    assert pressed.json["type"] == 4
    assert pressed.json["data"]["flags"] & EPHEMERAL
    assert pressed.json["data"]["content"] == THANKS_UP

    not_it = await fake_discord.interact(fake_discord.button(down, shown, source, member(BOB)))
    data = not_it.json["data"]
    assert data["flags"] & EPHEMERAL and data["content"].startswith(THANKS_DOWN)
    assert "Other sessions" in data["content"] or "closest sessions" in data["content"] \
        or "/sessions" in data["content"]
    assert data["allowed_mentions"] == {"parse": []}

    assert feedback_service.feedback is not None
    feedback_service.feedback.flush()
    admin = await fake_discord.interact(fake_discord.slash(
        "report", member(ALICE, permissions=MANAGE_GUILD)))
    content = admin.json["data"]["content"]
    assert admin.json["data"]["flags"] & EPHEMERAL
    assert "1 question(s)" in content and "0 helpful, 1 not it" in content  # changed vote


async def test_votes_survive_a_restart_and_unknown_answers_are_refused(
        fake_discord: FakeDiscord, feedback_service: SummitService,
        discord_config: DiscordConfig) -> None:
    first = await start_bot(fake_discord, feedback_service, discord_config)
    try:
        source, shown = await _answer(fake_discord)
    finally:
        await first.stop()
    again = await start_bot(fake_discord, feedback_service, discord_config)  # a restart
    try:
        up = _buttons(shown)["Helpful"]["custom_id"]
        pressed = await fake_discord.interact(fake_discord.button(up, shown, source))
        assert pressed.json["data"]["content"] == THANKS_UP
        # an answer this bot does not know (another bot's state, or purged)
        unknown = "vote:up:00000000deadbeef"
        old = json.loads(json.dumps(shown).replace(up, unknown))
        stale = await fake_discord.interact(fake_discord.button(unknown, old, source))
        assert stale.json["data"]["content"] == UNKNOWN
    finally:
        await again.stop()


@pytest.mark.usefixtures("feedback_bot")
async def test_report_is_for_admins_only(fake_discord: FakeDiscord) -> None:
    refused = await fake_discord.interact(fake_discord.slash("report", member(BOB)))
    data = refused.json["data"]
    assert data["flags"] & EPHEMERAL and "Only admins" in data["content"]
    bad = await fake_discord.interact(fake_discord.slash(
        "report", member(ALICE, permissions=MANAGE_GUILD), days="0"))
    assert "number of days" in bad.json["data"]["content"]
