"""Registering the slash commands only when they changed.

Discord rate-limits command creation, and ``on_ready`` fires on every reconnect, so the
hash of the command schema (and of where it goes) is kept in a file beside the index, and
commands are uploaded only when it differs, or on ``summit-bot sync-commands``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

HASH_SUFFIX = ".discord-commands.sha256"


def hash_path(db_path: Path) -> Path:
    """``<db>.discord-commands.sha256``: beside the index, which is always writable."""
    return db_path.with_name(db_path.name + HASH_SUFFIX)


def schema_hash(tree: app_commands.CommandTree[discord.Client], application_id: int | None,
                guild_ids: Sequence[int]) -> str:
    """A digest of what a sync would upload, for which application, to which targets."""
    payload: dict[str, Any] = {
        "application": application_id,
        "targets": sorted(guild_ids) or ["global"],
        "commands": sorted((c.to_dict(tree) for c in tree.get_commands()),
                           key=lambda c: str(c["name"])),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def sync(tree: app_commands.CommandTree[discord.Client],
               guild_ids: Sequence[int]) -> list[str]:
    """Upload the commands to each guild (they appear at once), or globally when none are
    given (they can take a while to appear). Returns the names of the commands synced."""
    if not guild_ids:
        return [c.name for c in await tree.sync()]
    names: list[str] = []
    for guild_id in guild_ids:
        guild = discord.Object(id=guild_id)
        tree.copy_global_to(guild=guild)
        names = [c.name for c in await tree.sync(guild=guild)]
    return names


async def sync_if_changed(tree: app_commands.CommandTree[discord.Client], db_path: Path,
                          guild_ids: Sequence[int]) -> bool:
    """Sync when the schema's hash differs from the stored one; True if it synced. A
    failed sync is logged and retried on the next start (the hash is not stored)."""
    digest = schema_hash(tree, tree.client.application_id, guild_ids)
    path = hash_path(db_path)
    try:
        stored = path.read_text(encoding="utf-8").strip()
    except OSError:
        stored = None
    if stored == digest:
        log.info("slash commands unchanged since the last sync; not syncing")
        return False
    try:
        names = await sync(tree, guild_ids)
    except discord.HTTPException as exc:
        log.error("syncing slash commands failed (HTTP %s: %s); will retry on next start",
                  exc.status, exc.text)
        return False
    log.info("synced slash commands %s to %s", ", ".join(f"/{n}" for n in names),
             ", ".join(map(str, guild_ids)) or "all servers (global)")
    store_hash(path, digest)
    return True


def store_hash(path: Path, digest: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(digest + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not remember the command hash in %s (%s); commands will be "
                    "synced again on the next start", path, exc.strerror or exc)
