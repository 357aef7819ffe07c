"""Who may reload: decided on our side, because server owners can change the client-side
``default_member_permissions`` gate (and a forged or stale client may skip it)."""

from __future__ import annotations

import discord

from bot.config import DiscordConfig


def is_admin(interaction: discord.Interaction, config: DiscordConfig) -> bool:
    """Manage Server or Administrator in this server (as Discord resolved them for this
    interaction), or one of the configured admin users or roles."""
    user = interaction.user
    if user is None:
        return False
    if user.id in config.admin_user_ids:
        return True
    if interaction.guild_id is None:  # a DM: server permissions do not apply
        return False
    permissions = interaction.permissions
    if permissions.administrator or permissions.manage_guild:
        return True
    roles = getattr(user, "roles", None) or []
    return any(role.id in config.admin_role_ids for role in roles)
