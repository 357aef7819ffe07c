"""Cooldowns are per user and per platform: Discord's length does not apply on Matrix."""

from __future__ import annotations

from bot.commands.cooldown import Cooldowns


def test_each_platform_has_its_own_length_and_users_are_apart() -> None:
    cooldowns = Cooldowns(0.0, {"discord": 60.0, "matrix": 0.0})
    assert cooldowns.check("discord", "alice") == 0
    assert 59 < cooldowns.check("discord", "alice") <= 60
    assert cooldowns.check("discord", "bob") == 0
    assert cooldowns.check("matrix", "alice") == 0
    assert cooldowns.check("matrix", "alice") == 0  # no cooldown configured on Matrix
    assert cooldowns.check("console", "alice") == 0  # the default, 0


def test_the_default_applies_to_platforms_not_named() -> None:
    cooldowns = Cooldowns(30.0)
    assert cooldowns.check("matrix", "@a:hs") == 0
    assert cooldowns.check("matrix", "@a:hs") > 29
