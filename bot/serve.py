"""``summit-bot serve``: one process, one index, the configured platforms side by side."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.commands import Requester, SummitService
from bot.commands.text import reload_text
from bot.config import Config
from bot.platforms import Platform

log = logging.getLogger(__name__)

NOTHING_CONFIGURED = (
    "Nothing to serve: set DISCORD_TOKEN (or discord.token_file in the config) for Discord, "
    "and/or MATRIX_HOMESERVER, MATRIX_USER_ID and MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD "
    "for Matrix."
)


def make_platforms(service: SummitService, config: Config) -> list[Platform]:
    platforms: list[Platform] = []
    if config.discord.token is not None:
        from bot.platforms.discord.client import DiscordPlatform

        platforms.append(DiscordPlatform(service, config.discord))
    if config.matrix.configured:
        from bot.platforms.matrix.client import MatrixPlatform

        platforms.append(MatrixPlatform(service, config.matrix))
    return platforms


async def serve(config: Config) -> int:
    """Run until SIGTERM/SIGINT; SIGHUP reloads the corpus like the admin command."""
    if config.discord.token is None and not config.matrix.configured:
        log.error(NOTHING_CONFIGURED)
        return 2
    service = SummitService(config.db, config.corpus,
                            ask_cooldown_seconds=config.discord.ask_cooldown_seconds,
                            prefix=config.matrix.prefix)
    await service.start()
    platforms = make_platforms(service, config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    reloads: set[asyncio.Task[None]] = set()

    async def reload_by_signal() -> None:
        report = await service.reload(Requester("signal", "SIGHUP", is_admin=True))
        log.info("SIGHUP reload: %s", reload_text(report) if not isinstance(report, str)
                 else report)

    def on_hup() -> None:
        task = loop.create_task(reload_by_signal())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        loop.add_signal_handler(signal.SIGHUP, on_hup)

    health = None
    if config.health.enabled:
        from bot.ops.health import HealthServer

        health = HealthServer(service, platforms, config.health)
        await health.start()

    runners = [loop.create_task(p.run(), name=f"platform-{p.name}") for p in platforms]
    stopper = loop.create_task(stop.wait())
    log.info("serving %d sessions on %s", len(service.index.sessions),
             ", ".join(p.name for p in platforms))
    exit_code = 0
    try:
        done, _ = await asyncio.wait([stopper, *runners], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopper and task.exception() is not None:
                log.error("%s stopped: %s", task.get_name(), task.exception())
                exit_code = 1
    finally:
        log.info("shutting down")
        for platform in platforms:
            with contextlib.suppress(Exception):
                await platform.close()
        for task in runners:
            task.cancel()
        await asyncio.gather(*runners, return_exceptions=True)
        for task in list(reloads):  # a reload in flight: its build is aside, never half-done
            task.cancel()
        stopper.cancel()
        if health is not None:
            await health.close()
        await service.close()
    return exit_code
