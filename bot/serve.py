"""``summit-bot serve``: one process, one index, the configured platforms side by side.

Signals: SIGHUP re-indexes the configured corpus exactly like the admin ``reload`` command
(built aside, swapped in only if it worked); SIGTERM and SIGINT shut down cleanly: the
platforms' clients are closed, and a reload in flight is abandoned or finished, never
half-written (the index file is only ever replaced whole, see bot/search/build.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable

from bot.clock import Clock, SystemClock, clock_from_environment
from bot.commands import Notice, Requester, SummitService
from bot.commands.reload import IndexerBounds
from bot.commands.reminders import ReminderDesk
from bot.commands.text import reload_text
from bot.config import Config
from bot.feedback.store import StateStore
from bot.logsetup import QuestionLog
from bot.ops.sdnotify import notify
from bot.platforms import Platform
from bot.reminders.book import ReminderBook
from bot.reminders.delivery import DirectSender
from bot.reminders.scheduler import ReminderScheduler
from bot.schedule.announce import ANNOUNCED_FILE, Announcer, AnnounceTarget, Ledger, Poster
from bot.timer import DueJob, run_due

log = logging.getLogger(__name__)

NOTHING_CONFIGURED = (
    "Nothing to serve: set DISCORD_TOKEN (or discord.token_file in the config) for Discord, "
    "and/or MATRIX_HOMESERVER, MATRIX_USER_ID and MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD "
    "for Matrix, or pass --console to try the bot on this terminal."
)
PURGE_EVERY_SECONDS = 86400.0
CLOSE_TIMEOUT = 10.0  # seconds a platform gets to say goodbye before it is cancelled


def nothing_to_serve(config: Config, console: bool = False) -> bool:
    return not console and config.discord.token is None and not config.matrix.configured


def make_platforms(service: SummitService, config: Config, *, console: bool = False
                   ) -> list[Platform]:
    platforms: list[Platform] = []
    if config.discord.token is not None:
        from bot.platforms.discord.client import DiscordPlatform

        platforms.append(DiscordPlatform(service, config.discord))
    if config.matrix.configured:
        from bot.platforms.matrix.client import MatrixPlatform

        platforms.append(MatrixPlatform(service, config.matrix))
    if console:
        from bot.platforms.console import ConsolePlatform

        platforms.append(ConsolePlatform(service))
    return platforms


def _install_signals(loop: asyncio.AbstractEventLoop, on_stop: Callable[[str], None],
                     on_hup: Callable[[], None]) -> list[signal.Signals]:
    """Installed before the index opens, so an early SIGHUP does not kill the process
    (its default action) and an early SIGTERM is not lost."""
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_stop, sig.name)
            installed.append(sig)
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        loop.add_signal_handler(signal.SIGHUP, on_hup)
        installed.append(signal.SIGHUP)
    return installed


async def serve(config: Config, *, console: bool = False) -> int:
    """Run until SIGTERM/SIGINT (or a platform stops); SIGHUP reloads like the admin
    command. Returns the exit status: 0 after a requested stop, 1 on failure, 2 when
    nothing is configured."""
    if nothing_to_serve(config, console):
        log.error(NOTHING_CONFIGURED)
        return 2
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    ready = False
    hup_pending = False
    reloads: set[asyncio.Task[None]] = set()
    # the state database: questions and votes (feedback), and pending reminders
    store = StateStore(config.state_path) \
        if config.feedback.enabled or config.reminders.enabled else None
    try:
        clock = clock_from_environment()
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    if not isinstance(clock, SystemClock):
        log.info("rehearsing: the clock starts at %s (SUMMIT_BOT_NOW)", clock.now().isoformat())
    service = SummitService(config.db, config.corpus, clock=clock,
                            platform_cooldowns={
                                "discord": config.discord.ask_cooldown_seconds,
                                "matrix": config.matrix.ask_cooldown_seconds},
                            prefix=config.matrix.prefix,
                            semantic_model=config.semantic.model,
                            feedback=store if config.feedback.enabled else None,
                            retention_days=config.feedback.retention_days,
                            bounds=IndexerBounds(config.limits.read_limits(),
                                                 config.limits.indexer_memory_mb,
                                                 config.limits.indexer_seconds),
                            schedules=[s.source() for s in config.schedule.sources])

    async def reload_by_signal() -> None:
        log.info("SIGHUP: re-indexing %s", ", ".join(map(str, service.corpus_paths)))
        notify("STATUS=re-indexing the notes (SIGHUP)")
        try:
            report = await service.reload(Requester("signal", "SIGHUP", is_admin=True))
        except Exception:  # never an unretrieved task error; the old index still serves
            log.exception("SIGHUP reload failed")
            return
        if isinstance(report, Notice):
            log.warning("SIGHUP reload: %s", report.text)
        else:
            (log.info if report.ok else log.warning)("SIGHUP reload: %s", reload_text(report))
        notify(f"STATUS={_status(service)}")

    def on_hup() -> None:
        nonlocal hup_pending
        if stop.is_set():
            return
        if not ready:
            hup_pending = True  # run it once the index is open
            return
        task = loop.create_task(reload_by_signal(), name="reload-SIGHUP")
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    def on_stop(name: str) -> None:
        if not stop.is_set():
            log.info("%s: shutting down", name)
        stop.set()

    installed = _install_signals(loop, on_stop, on_hup)
    question_log = QuestionLog(config.logging)
    question_log.attach(service.question_hooks)
    platforms: list[Platform] = []
    runners: list[asyncio.Task[None]] = []
    health = None
    purger: asyncio.Task[None] | None = None
    refresher: asyncio.Task[None] | None = None
    timed: asyncio.Task[None] | None = None  # starting-soon posts and reminders
    stopper = loop.create_task(stop.wait())
    exit_code = 0
    try:
        notify("STATUS=opening the index")
        starting = loop.create_task(service.start())
        await asyncio.wait([starting, stopper], return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():  # stopped while the first index was being built
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            return 0
        try:
            starting.result()
        except Exception as exc:
            log.error("cannot start: %s", exc)
            return 1

        platforms = make_platforms(service, config, console=console)
        scheduler = _reminders(service, store, clock, platforms) \
            if store is not None and config.reminders.enabled else None
        if config.health.enabled:
            from bot.ops.health import HealthServer

            health = HealthServer(service, platforms, config.health)
            try:
                await health.start()
            except OSError as exc:
                log.error("cannot listen on %s port %d for health and metrics: %s",
                          config.health.host, config.health.port, exc.strerror or exc)
                health = None
                return 1

        runners = [loop.create_task(p.run(), name=f"platform-{p.name}") for p in platforms]
        if store is not None:
            purger = loop.create_task(_purge_daily(store, config.feedback.retention_days),
                                      name="feedback-purge")
        jobs: list[DueJob] = []
        if config.schedule.announce:
            announcer = _announcer(service, config, clock, platforms)
            service.reload_hooks.append(lambda ok: announcer.wake())
            service.schedule_change_hooks.append(announcer.changes)
            jobs.append(announcer)
        if scheduler is not None:
            jobs.append(scheduler)
        if jobs:
            timed = loop.create_task(_run_timed(jobs, scheduler), name="timed")
        if any(source.url for source in service.schedules):
            refresher = loop.create_task(
                _refresh_schedules(service, config.schedule.refresh_minutes),
                name="schedule-refresh")
        ready = True
        log.info("serving %d sessions on %s", len(service.index.sessions),
                 ", ".join(p.name for p in platforms))
        notify("READY=1", f"STATUS={_status(service)}")
        if hup_pending:
            on_hup()
        done, _ = await asyncio.wait([stopper, *runners], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is stopper:
                continue
            if task.exception() is not None:
                log.error("%s stopped: %s", task.get_name(), task.exception())
                exit_code = 1
            else:
                log.info("%s stopped", task.get_name())
    finally:
        ready = False  # a SIGHUP from now on starts nothing
        notify("STOPPING=1", "STATUS=shutting down")
        log.info("shutting down")
        for platform in platforms:
            try:
                await asyncio.wait_for(platform.close(), CLOSE_TIMEOUT)
            except Exception as exc:
                log.warning("closing %s: %s", platform.name, exc or type(exc).__name__)
        for task in runners:
            task.cancel()
        await asyncio.gather(*runners, return_exceptions=True)
        if reloads:  # a reload in flight: its build is aside, swapped in whole or not at all
            log.info("a reload is in progress: stopping it (the index file is replaced "
                     "whole or not at all)")
            for task in list(reloads):
                task.cancel()
            await asyncio.gather(*reloads, return_exceptions=True)
        stopper.cancel()
        for background in (purger, refresher, timed):
            if background is not None:
                background.cancel()
                await asyncio.gather(background, return_exceptions=True)
        if store is not None:
            await asyncio.to_thread(store.close)  # queued writes are finished first
        if health is not None:
            await health.close()
        question_log.detach(service.question_hooks)
        await service.close()
        for sig in installed:
            loop.remove_signal_handler(sig)
        log.info("stopped")
    return exit_code


async def _purge_daily(store: StateStore, retention_days: float) -> None:
    """Forget questions older than the retention period: now, then once a day."""
    while True:
        store.purge(retention_days)
        await asyncio.sleep(PURGE_EVERY_SECONDS)


async def _run_timed(jobs: list[DueJob], scheduler: ReminderScheduler | None) -> None:
    """One task sleeps until the next post or reminder is due (bot/timer.py)."""
    if scheduler is not None:
        await scheduler.start()
    await run_due(jobs)


def _reminders(service: SummitService, store: StateStore, clock: Clock,
               platforms: list[Platform]) -> ReminderScheduler:
    """Personal reminders: the commands, and the one task that sends them when due and
    follows the schedule after each reload or refresh."""
    senders = [p for p in platforms if isinstance(p, DirectSender)]
    scheduler = ReminderScheduler(ReminderBook(store), clock, senders, service.programme)
    service.reminders = ReminderDesk(scheduler.book, scheduler, clock, service.programme,
                                     prefix=service.prefix)
    service.reload_hooks.append(scheduler.programme_changed)
    return scheduler


def _announcer(service: SummitService, config: Config, clock: Clock,
               platforms: list[Platform]) -> Announcer:
    """Starting-soon and change posts to the configured channels and rooms, through the
    platforms that can post (a target whose platform is not running is skipped)."""
    targets = [AnnounceTarget(a.platform, a.target, a.minutes_before, a.starting_soon,
                              a.changes, tuple(a.rooms), tuple(a.tracks))
               for a in config.schedule.announce]
    posters = [p for p in platforms if isinstance(p, Poster)]
    missing = {t.platform for t in targets} - {p.name for p in posters}
    if missing:
        log.warning("announcements: no %s platform is running; its targets get no posts",
                    " or ".join(sorted(missing)))

    ledger = Ledger(config.state_path.with_name(ANNOUNCED_FILE))
    return Announcer(targets, clock, posters, ledger, service.programme)


async def _refresh_schedules(service: SummitService, minutes: float) -> None:
    """Fetch the schedule URLs at start, then every ``minutes`` (0: at start only); each
    fetch rebuilds aside like a reload, so answers go on meanwhile."""
    while True:
        try:
            report = await service.refresh_schedule()
        except Exception:  # the serving index is untouched; try again next time
            log.exception("schedule refresh failed")
            report = None
        if report is not None:
            changed = bool(report.schedule_changes or report.problems or report.warnings)
            (log.warning if not report.ok else log.info if changed else log.debug)(
                "schedule refresh: %s", reload_text(report))
        if minutes <= 0:
            return
        await asyncio.sleep(minutes * 60)


def _status(service: SummitService) -> str:
    try:
        index = service.index
    except RuntimeError:
        return "no index open"
    return f"serving {len(index.sessions)} sessions, {index.passage_count} passages"
