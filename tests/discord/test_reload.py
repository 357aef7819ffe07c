"""/reload: admin only (checked on our side), deferred at once, reports changes and every
file that failed; a broken file never takes the index down."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.commands import SummitService
from bot.config import DiscordConfig
from tests.discord.fake_discord import (
    ADMIN_ROLE_ID,
    ADMINISTRATOR,
    ALICE,
    BOB,
    MANAGE_GUILD,
    FakeDiscord,
    member,
)

EPHEMERAL = 64
pytestmark = pytest.mark.usefixtures("bot")


async def reload_as(fake: FakeDiscord, who: dict[str, Any]) -> tuple[Any, Any]:
    """Send /reload; return the deferral callback and the edit that reports the outcome."""
    payload = fake.slash("reload", who)
    deferred = await fake.interact(payload)
    report = await fake.webhook(payload, "PATCH", timeout=30)
    return deferred.json, report


async def test_reload_is_registered_for_server_managers_only(fake_discord: FakeDiscord
                                                             ) -> None:
    (put,) = fake_discord.matching("PUT", "/commands")
    (reload,) = [c for c in put.json if c["name"] == "reload"]
    assert int(reload["default_member_permissions"]) == MANAGE_GUILD


@pytest.mark.parametrize("permissions", [0, 1 << 13])  # nothing; Manage Messages
async def test_non_admin_reload_is_refused_even_without_the_client_gate(
        fake_discord: FakeDiscord, service: SummitService, permissions: int) -> None:
    # The fake dispatches /reload whatever default_member_permissions says, as a server
    # owner who changed the command's permissions (or a forged client) would.
    before = service.index
    deferred, report = await reload_as(fake_discord, member(BOB, permissions=permissions))
    assert deferred["type"] == 5 and deferred["data"]["flags"] & EPHEMERAL
    assert report.json["content"] == "Only admins of this server or room can reload the notes."
    assert report.json["allowed_mentions"] == {"parse": []}
    assert service.index is before  # nothing was rebuilt


async def test_configured_admin_user_may_reload(fake_discord: FakeDiscord,
                                                discord_config: DiscordConfig,
                                                service: SummitService) -> None:
    discord_config.admin_user_ids.append(int(BOB["id"]))
    _, report = await reload_as(fake_discord, member(BOB))
    assert report.json["content"].startswith("Reloaded in ")


async def test_broken_file_keeps_the_old_index_serving_and_is_named(
        fake_discord: FakeDiscord, service: SummitService, corpus_copy: Path) -> None:
    (corpus_copy / "open-compute.md").write_text(
        "---\ntitle: [unclosed\nspeakers: {\n---\nThe rack is now 23 inches.\n")
    deferred, report = await reload_as(fake_discord, member(ALICE, permissions=MANAGE_GUILD))
    assert deferred["type"] == 5 and deferred["data"]["flags"] & EPHEMERAL
    content = report.json["content"]
    assert report.path.endswith("/messages/@original")
    assert "open-compute.md" in content
    assert "front matter" in content
    assert len(content) <= 2000
    # The session of the broken file is still answered from its previous version.
    sent = await fake_discord.interact(fake_discord.slash(
        "ask", question="where does the 19-inch rack come from?"))
    (embed,) = sent.json["data"]["embeds"]
    assert embed["title"] == "Open Compute"
    assert "train system" in embed["description"]


@pytest.mark.parametrize("who", [
    member(ALICE, permissions=ADMINISTRATOR),
    member(ALICE, roles=(ADMIN_ROLE_ID,)),
], ids=["administrator", "admin-role"])
async def test_admins_by_permission_or_role_reload(fake_discord: FakeDiscord,
                                                   who: dict[str, Any]) -> None:
    _, report = await reload_as(fake_discord, who)
    assert report.json["content"].startswith("Reloaded in ")
    assert "0 added, 0 changed, 0 removed" in report.json["content"]


async def test_a_second_reload_while_one_runs_is_refused(fake_discord: FakeDiscord) -> None:
    admin = member(ALICE, permissions=MANAGE_GUILD)
    first, second = fake_discord.slash("reload", admin), fake_discord.slash("reload", admin)
    await fake_discord.dispatch("INTERACTION_CREATE", first)
    await fake_discord.dispatch("INTERACTION_CREATE", second)
    reports = await asyncio.gather(fake_discord.webhook(first, "PATCH", timeout=30),
                                   fake_discord.webhook(second, "PATCH", timeout=30))
    contents = sorted(r.json["content"] for r in reports)
    assert contents[0].startswith("A reload is already running")
    assert contents[1].startswith("Reloaded in ")


async def test_every_failed_file_is_reported_even_past_2000_characters(
        fake_discord: FakeDiscord, corpus_copy: Path) -> None:
    names = [f"broken-notes-from-the-afternoon-track-number-{i:02d}.md" for i in range(30)]
    for name in names:
        (corpus_copy / name).write_text("---\ntitle: [unclosed\n---\nbody\n")
    _, report = await reload_as(fake_discord, member(ALICE, permissions=MANAGE_GUILD))
    content = report.json["content"]
    assert len(content) <= 2000
    assert content.endswith("The full report is attached.")
    (attached,) = report.files.values()
    text = attached.decode("utf-8")
    assert "30 file(s) could not be used" in text
    assert all(name in text for name in names)
    assert report.json["attachments"][0]["filename"] == "reload-report.txt"
