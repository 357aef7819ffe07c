"""The ``summit-bot`` command line: index, ask, sessions, session, eval, serve, ...

Its ``--json`` outputs are an interface for scripts: keep their shape stable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot import __version__
from bot.oserrors import os_sentence

if TYPE_CHECKING:
    from bot.corpus.limits import ReadLimits
    from bot.schedule.sources import ScheduleSource
from bot.paths import bundled_corpus, default_db_path

CONFIG_OPTION = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None, envvar="SUMMIT_BOT_CONFIG", help="YAML config file ($SUMMIT_BOT_CONFIG).")
DB_OPTION = click.option(
    "--db", "db", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Index file (default: $SUMMIT_BOT_DB or the user data folder).")


def _index_corpus(paths: list[Path], db: Path, quiet: bool = False,
                  reuse: bool = True, semantic: str | None = None,
                  limits: ReadLimits | None = None,
                  schedules: Sequence[ScheduleSource] = ()) -> int:
    """Build the index with a progress bar on a terminal; returns the session count.
    ``reuse``: files unchanged since an earlier index are not parsed again. ``semantic``:
    a sentence-embedding model to store passage vectors with."""
    from tqdm import tqdm

    from bot.corpus.cache import cache_path_for
    from bot.corpus.limits import DEFAULT_LIMITS
    from bot.corpus.loader import load_corpus
    from bot.schedule.diff import diff_schedules
    from bot.schedule.fetch import fetched_folder_for
    from bot.search.build import build_index
    from bot.search.carry import scheduled_from_index
    from bot.search.semantic import SemanticUnavailable, load_embedder

    embedder = None
    if semantic:
        try:
            embedder = load_embedder(semantic, now=False)  # loaded if a vector is missing
        except SemanticUnavailable as exc:
            raise click.ClickException(str(exc)) from exc
    show = sys.stderr.isatty() and not quiet
    # No monitor thread: with no other thread running, the notes are read by one process
    # per core (loader.py forks only then).
    tqdm.monitor_interval = 0
    bar = tqdm(total=0, unit="file", desc="reading notes", disable=not show, leave=False)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    report = load_corpus(paths, progress=progress, cache=cache_path_for(db), reread=not reuse,
                         limits=limits or DEFAULT_LIMITS, schedules=schedules,
                         fetched=fetched_folder_for(db))
    bar.close()
    if not report.sessions:
        where = ", ".join([*map(str, paths), *(s.shown for s in schedules)])
        click.echo(f"No sessions could be read from {where}; nothing was indexed.", err=True)
        for skipped in report.skipped:
            click.echo(f"  skipped {skipped.path}: {skipped.reason}", err=True)
        return 0
    before = scheduled_from_index(db)
    try:
        stats = build_index(report, db, embedder=embedder)
    except SemanticUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        if DEBUG:
            raise
        raise click.ClickException(os_sentence(exc, db, "write the index")) from exc
    if not quiet:
        vectors = (f", {stats.embedded} vectors (passages and their sentences) computed "
                   f"with {semantic}" if embedder else "")
        scheduled = sum(1 for s in report.sessions if s.slot and s.slot.start)
        timed = f" ({scheduled} from schedules)" if scheduled else ""
        if report.matched:
            timed = timed[:-1] + (f"; {report.matched} notes session"
                                  f"{'s' if report.matched != 1 else ''} matched a "
                                  "scheduled talk)")
        click.echo(f"Indexed {report.files_read} files: {stats.sessions} sessions{timed}, "
                   f"{stats.passages} passages, {stats.terms} terms{vectors} in "
                   f"{stats.seconds:.2f} s → {db}", err=True)
        for skipped in report.skipped:
            click.echo(f"  skipped {skipped.path}: {skipped.reason}", err=True)
        for warning in report.warnings:
            click.echo(f"  warning {warning.path}: {warning.reason}", err=True)
        for change in diff_schedules(before, report.sessions):
            click.echo(f"  schedule {change}", err=True)
    return stats.sessions


def _resolve_db(db: Path | None) -> Path:
    """The index to read; with no --db and no index yet, index the bundled corpus first."""
    if db is not None:
        return db
    path = default_db_path()
    if not path.exists():
        click.echo(f"No index yet; indexing the bundled notes ({bundled_corpus()}) first.",
                   err=True)
        if not _index_corpus([bundled_corpus()], path):
            raise SystemExit(1)
    return path


async def _open_service(db: Path, clock: Any = None) -> Any:
    from bot.commands import SummitService
    from bot.search.index import IndexUnusable

    service = SummitService(db, [bundled_corpus()], clock=clock)
    try:
        await service.open_existing()
    except IndexUnusable as exc:
        raise click.ClickException(str(exc)) from exc
    return service


DEBUG = False  # --debug: let tracebacks through


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="summit-bot")
@click.option("--debug", is_flag=True, help="Show the traceback of any failure.")
def cli(debug: bool) -> None:
    """Answers questions about conference session notes, quoting the notes."""
    global DEBUG
    DEBUG = debug


@cli.command()
@click.argument("paths", nargs=-1)
@DB_OPTION
@CONFIG_OPTION
@click.option("--reread", is_flag=True,
              help="Parse every file again, even those unchanged since the last index.")
@click.option("--semantic", "semantic", default=None, envvar="SUMMIT_BOT_SEMANTIC_MODEL",
              metavar="MODEL",
              help="Also store passage and sentence vectors of this sentence-embedding model "
                   "(all-MiniLM-L6-v2 or a model folder; needs the semantic extra).")
def index(paths: tuple[str, ...], db: Path | None, config_path: Path | None, reread: bool,
          semantic: str | None) -> None:
    """Build the index from notes files or folders and schedule exports (files or URLs).

    With no PATHS: the config's ``corpus`` and ``schedule.sources`` when --config is given,
    else the bundled corpus/. Reading is bounded as a reload's is (a config file's
    ``limits``, else the defaults): what one file may cost, and this process's memory and
    time."""
    from bot.schedule.sources import ScheduleSource

    target = db or default_db_path()
    urls = [ScheduleSource(url=p) for p in paths if p.startswith(("https://", "http://"))]
    sources = [Path(p) for p in paths if not p.startswith(("https://", "http://"))]
    schedules: list[ScheduleSource] = []
    limits, memory_mb, seconds = None, 2048, 900.0
    if config_path is not None:
        config = _load_config(config_path)
        limits = config.limits.read_limits()
        memory_mb, seconds = config.limits.indexer_memory_mb, config.limits.indexer_seconds
        if not paths:
            schedules = [s.source() for s in config.schedule.sources]
            configured_corpus = "corpus" in (_config_keys(config_path))
            sources = list(config.corpus) if configured_corpus or not schedules else []
    if not paths and not schedules and not sources:
        sources = [bundled_corpus()]
    with _process_bounds(memory_mb, seconds, semantic):
        if not _index_corpus(sources, target, reuse=not reread, semantic=semantic,
                             limits=limits, schedules=[*schedules, *urls]):
            raise SystemExit(1)


def _config_keys(path: Path) -> set[str]:
    """The top-level options a config file sets (to tell its corpus from the default)."""
    import os

    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return set()
    keys = set(data) if isinstance(data, dict) else set()
    if os.environ.get("SUMMIT_BOT_CORPUS"):
        keys.add("corpus")
    return keys


@contextlib.contextmanager
def _process_bounds(memory_mb: int, seconds: float, semantic: str | None) -> Iterator[None]:
    """This process's memory ceiling and time budget while indexing (as the indexer
    process of a reload has them)."""
    from bot.process import TimeUp, alarm_after, too_slow

    size = memory_mb * 1024 * 1024
    before: tuple[int, int] | None = None
    with contextlib.suppress(ValueError, OSError):
        before = resource.getrlimit(resource.RLIMIT_DATA)
        if before[1] == resource.RLIM_INFINITY or before[1] >= size:
            resource.setrlimit(resource.RLIMIT_DATA, (size, before[1]))
    try:
        with alarm_after(seconds):
            yield
    except TimeUp:
        raise click.ClickException(too_slow(seconds, semantic)) from None
    except MemoryError:
        raise click.ClickException(f"indexing needed more than {memory_mb} MB "
                                   "(limits.indexer_memory_mb); raise it or split the "
                                   "largest files") from None
    finally:
        # a caller that goes on (a test runner, a script) gets its own ceiling back
        if before is not None:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_DATA, before)


def _questions(args: tuple[str, ...]) -> Iterator[str]:
    if args:
        yield " ".join(args)
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def _parse_now(_: click.Context, __: click.Parameter, value: str | None) -> Any:
    """--now: an ISO 8601 instant with its UTC offset (a clock for schedule questions)."""
    if value is None:
        return None
    from datetime import datetime

    from bot.clock import FixedClock

    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("give an ISO 8601 time with its UTC offset, e.g. "
                                 "2024-12-28T15:40:00+01:00") from None
    if moment.tzinfo is None:
        raise click.BadParameter("give the time with its UTC offset, e.g. "
                                 "2024-12-28T15:40:00+01:00 (a time without one is ambiguous)")
    return FixedClock(moment)


NOW_OPTION = click.option(
    "--now", "clock", callback=_parse_now, default=None, metavar="ISO8601",
    help="Answer schedule questions as if it were this moment (with its UTC offset, e.g. "
         "2024-12-28T15:40:00+01:00); default: the real time.")


@cli.command()
@click.argument("question", nargs=-1)
@DB_OPTION
@NOW_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per question.")
def ask(question: tuple[str, ...], db: Path | None, clock: Any, as_json: bool) -> None:
    """Answer QUESTION (or one question per line from stdin) from the notes and the
    schedule."""
    from bot.commands import AnswerReply, ScheduleReply
    from bot.commands.text import render_text

    path = _resolve_db(db)

    async def run() -> None:
        service = await _open_service(path, clock)
        try:
            for text in _questions(question):
                reply = await service.ask(text)
                if as_json:
                    if isinstance(reply, AnswerReply | ScheduleReply):
                        payload = reply.answer.to_json()
                    else:
                        shown = text if len(text) <= 500 else text[:500] + "…"
                        payload = {"question": shown, "answered": False, "confident": False,
                                   "kind": "notes", "session": None, "sessions": [],
                                   "passage": None, "score": 0.0, "confidence": 0.0,
                                   "alternatives": [], "error": reply.text}
                    click.echo(json.dumps(payload, ensure_ascii=False))
                else:
                    click.echo(render_text(reply))
                    click.echo()
        finally:
            await service.close()

    asyncio.run(run())


@cli.command()
@click.argument("filter_words", nargs=-1)
@DB_OPTION
@click.option("--json", "as_json", is_flag=True)
def sessions(filter_words: tuple[str, ...], db: Path | None, as_json: bool) -> None:
    """List sessions, optionally only those matching FILTER."""
    from bot.answer.models import session_json

    path = _resolve_db(db)

    async def run() -> None:
        service = await _open_service(path)
        try:
            listing = service.sessions(" ".join(filter_words) or None, per_page=10**9)
            for session in listing.sessions:
                if as_json:
                    click.echo(json.dumps(session_json(session) | {
                        "date": session.date, "track": session.track,
                        "passages": session.passage_count}, ensure_ascii=False))
                else:
                    by = f" — {', '.join(session.speakers)}" if session.speakers else ""
                    click.echo(f"{session.title}{by}")
            if not as_json:
                click.echo(f"({listing.total} sessions)", err=True)
        finally:
            await service.close()

    asyncio.run(run())


@cli.command()
@click.argument("title", nargs=-1, required=True)
@DB_OPTION
def session(title: tuple[str, ...], db: Path | None) -> None:
    """Show one session: its details and opening notes."""
    from bot.commands import SessionNotFound
    from bot.commands.text import render_text

    path = _resolve_db(db)

    async def run() -> int:
        service = await _open_service(path)
        try:
            reply = await service.session(" ".join(title))
            click.echo(render_text(reply))
            return 1 if isinstance(reply, SessionNotFound) else 0
        finally:
            await service.close()

    raise SystemExit(asyncio.run(run()))


@cli.command("schedule")
@DB_OPTION
@NOW_OPTION
@click.option("--day", default=None, help="A date (2024-12-28) or the conference's day "
              "number (1 is its first day).")
@click.option("--room", default=None, help="Only this room (loosely: 'saal 1').")
@click.option("--track", default=None, help="Only this track (loosely).")
@click.option("--speaker", default=None, help="Only this speaker's talks.")
@click.option("--summit", default=None, help="Only this conference (when several are "
              "indexed).")
@click.option("--json", "as_json", is_flag=True, help="One session object per line, in time "
              "order.")
def schedule_command(db: Path | None, clock: Any, day: str | None, room: str | None,
                     track: str | None, speaker: str | None, summit: str | None,
                     as_json: bool) -> None:
    """The programme, in time order: all of it, or a day, room, track or speaker's."""
    from bot.answer.models import session_json
    from bot.schedule.listing import ListingError, select_talks
    from bot.schedule.timetext import talk_when

    path = _resolve_db(db)

    async def run() -> None:
        service = await _open_service(path, clock)
        try:
            answerer = service.schedule_answerer
            if answerer is None:
                raise click.ClickException(
                    f"{path} holds no schedule; index one with `summit-bot index "
                    "SCHEDULE_FILE_OR_URL` or schedule.sources in a config.")
            try:
                groups = select_talks(answerer.programme, day=day, room=room, track=track,
                                      speaker=speaker, summit=summit)
            except ListingError as exc:
                raise click.ClickException(str(exc)) from exc
            now = service.clock.now()
            for name, talks in groups.items():
                if not as_json and len(groups) > 1:
                    click.echo(f"== {name}")
                for talk in talks:
                    if as_json:
                        click.echo(json.dumps(session_json(talk.record), ensure_ascii=False))
                    else:
                        by = f" — {', '.join(talk.record.speakers)}" \
                            if talk.record.speakers else ""
                        where = f" · {talk.room}" if talk.room else ""
                        gone = " (cancelled)" if talk.cancelled else ""
                        click.echo(f"{talk_when(talk, now)}{where} · {talk.title}{gone}{by}")
            if not as_json:
                total = sum(len(t) for t in groups.values())
                click.echo(f"({total} sessions)", err=True)
        finally:
            await service.close()

    asyncio.run(run())


@cli.command("eval")
@click.argument("questions", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the figures and misses as JSON.")
@click.option("--corpus", default=None, help="Only the items whose `corpus` is this.")
@click.option("--split", type=click.Choice(["tune", "check"]), default=None,
              help="Only the items of this split (tune constants on tune, report check).")
def eval_command(questions: Path, db: Path | None, as_json: bool, corpus: str | None,
                 split: str | None) -> None:
    """Run a question file and print passage@1, passage@3, decline rates and the misses."""
    from bot.answer.evaluate import EvalFileError, evaluate, load_items

    try:
        items = load_items(questions, corpus, split)
    except EvalFileError as exc:
        raise click.ClickException(str(exc)) from exc
    path = _resolve_db(db)

    async def run() -> Any:
        service = await _open_service(path)
        try:
            return await evaluate(service.answerer, items)
        finally:
            await service.close()

    report = asyncio.run(run())
    figures = report.figures()
    misses = [{"id": r.item.id, "q": r.item.q, "expected_session": r.item.session,
               "answered": r.answered, "confident": r.confident,
               "quoted_session": r.quoted_session,
               "quoted": r.quoted} for r in report.misses()]
    per_corpus = report.by_corpus()
    if as_json:
        click.echo(json.dumps({"figures": figures, "corpora": per_corpus, "misses": misses},
                              ensure_ascii=False))
        return
    click.echo(f"{figures['questions']} questions ({figures['answerable']} answerable, "
               f"{figures['unanswerable']} not in the notes)")
    click.echo(f"right passage first (passage@1):    {figures['passage_at_1']:.1%}")
    click.echo(f"right passage in top 3 (passage@3): {figures['passage_at_3']:.1%}")
    click.echo(f"declined or hedged when not in the notes: "
               f"{figures['declined_unanswerable']:.1%} "
               f"(hedged {figures['hedged_unanswerable']:.1%})")
    click.echo(f"declined although answerable:       {figures['declined_answerable']:.1%}")
    click.echo(f"hedged although answerable:         {figures['hedged_answerable']:.1%}")
    click.echo(f"confident answers that are right:   {figures['confident_right']:.1%}")
    if per_corpus:
        click.echo(f"{'per corpus':<18} {'questions':>9} {'p@1':>6} {'p@3':>6} "
                   f"{'ans. declined':>14} {'unans. declined/hedged':>23}")
        for name, f in per_corpus.items():
            click.echo(f"{name:<18} {f['questions']:>9} {f['passage_at_1']:>6.0%} "
                       f"{f['passage_at_3']:>6.0%} {f['declined_answerable']:>14.0%} "
                       f"{f['declined_unanswerable']:>23.0%}")
    for miss in misses:
        got = ("declined" if not miss["answered"] else
               f"quoted “{miss['quoted_session']}”" + ("" if miss["confident"] else " (hedged)"))
        want = miss["expected_session"] or "a decline"
        click.echo(f"- miss {miss['id']}: {miss['q']!r}: {got}; wanted {want}")




def _load_config(config_path: Path | None, db: Path | None = None) -> Any:
    from bot.config import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(f"invalid configuration:\n{exc}") from exc
    if db is not None:
        config.db = db
    return config


@cli.command()
@CONFIG_OPTION
@DB_OPTION
@click.option("--console", is_flag=True,
              help="Also answer questions typed on standard input (one per line), "
                   "to try the bot locally.")
def serve(config_path: Path | None, db: Path | None, console: bool) -> None:
    """Run the bot on Discord and/or Matrix, as configured.

    SIGHUP re-indexes the corpus like the admin reload command; SIGTERM stops cleanly.
    """
    from bot.logsetup import setup_logging
    from bot.serve import NOTHING_CONFIGURED, nothing_to_serve
    from bot.serve import serve as run_serve

    config = _load_config(config_path, db)
    setup_logging(config.logging)
    if nothing_to_serve(config, console):
        click.echo(NOTHING_CONFIGURED, err=True)
        raise SystemExit(2)
    raise SystemExit(asyncio.run(run_serve(config, console=console)))


@cli.command("check-config")
@click.argument("config_path", required=False, envvar="SUMMIT_BOT_CONFIG",
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
def check_config(config_path: Path | None) -> None:
    """Validate a config file (default: $SUMMIT_BOT_CONFIG) and the environment without
    starting anything. Exits 1 with one line per problem; never prints a secret."""
    config = _load_config(config_path)
    platforms = [name for name, on in (("discord", config.discord.token is not None),
                                       ("matrix", config.matrix.configured)) if on]
    health = (f"http://{config.health.host}:{config.health.port}" if config.health.enabled
              else "off")
    missing = [str(p) for p in config.corpus if not p.exists()]
    click.echo(f"Configuration is valid ({config_path or 'no file; defaults and environment'})."
               f"\n  index:     {config.db}"
               f"\n  corpus:    {', '.join(map(str, config.corpus))}"
               f"\n  platforms: {', '.join(platforms) or 'none configured'}"
               f"\n  health:    {health}"
               f"\n  logging:   {config.logging.level}"
               f"{', JSON lines' if config.logging.json_lines else ''}"
               f"{', with question text' if config.logging.log_question_text else ''}")
    sources = config.schedule.sources
    if sources:
        shown = ", ".join(s.url or str(s.path) for s in sources)
        click.echo(f"  schedule:  {shown} (URLs fetched every "
                   f"{config.schedule.refresh_minutes:g} min)")
    missing += [str(s.path) for s in sources if s.path is not None and not s.path.exists()]
    if missing:
        click.echo(f"Warning: corpus or schedule path(s) not found: {', '.join(missing)}",
                   err=True)
    if config.semantic.model:
        from bot.search.semantic import SemanticUnavailable, load_embedder

        try:
            load_embedder(config.semantic.model)
        except SemanticUnavailable as exc:
            click.echo(f"semantic.model: {exc}", err=True)
            raise SystemExit(1) from exc
        click.echo(f"  semantic:  {config.semantic.model} (loads)")


@cli.command()
@CONFIG_OPTION
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="State database (default: state_db in the config, or "
                                 "state.sqlite3 beside the index).")
@click.option("--since", "since_days", type=click.FloatRange(min=0, min_open=True),
              default=None, help="Days back to report on (default: feedback.retention_days).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--eval-yaml", "eval_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the unanswered and voted-down questions as a "
                                 "question file for `summit-bot eval`.")
def report(config_path: Path | None, state_path: Path | None, since_days: float | None,
           as_json: bool, eval_out: Path | None) -> None:
    """What people asked that the notes did not answer, and answers voted "Not it"."""
    import sqlite3

    from bot.commands.results import ReportReply
    from bot.commands.text import report_text
    from bot.feedback.report import build_report, eval_yaml

    config = _load_config(config_path)
    path = state_path or config.state_path
    if not path.exists():
        raise click.ClickException(
            f"no state database at {path} yet: it is made when `serve` answers its first "
            "question with feedback.enabled (the default); give another with --state.")
    days = since_days or float(config.feedback.retention_days)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            found = build_report(conn, days)
    except sqlite3.Error as exc:
        raise click.ClickException(f"{path} cannot be read as a state database ({exc})") \
            from exc
    if eval_out is not None:
        try:
            eval_out.write_text(eval_yaml(found), encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {eval_out} ({exc.strerror})") from exc
    if as_json:
        click.echo(json.dumps(found.to_json(), ensure_ascii=False))
    else:
        click.echo(report_text(ReportReply(found)))
    if eval_out is not None and not as_json:
        click.echo(f"Wrote the questions to {eval_out}; fill in `session` and `expect`, then "
                   f"run `summit-bot eval {eval_out}`.")


@cli.command("sync-commands")
@CONFIG_OPTION
@DB_OPTION
@click.option("--guild", "guild_id", type=int, default=None,
              help="Register in this server only (appears at once) instead of where serve "
                   "would (discord.sync_guild_ids, else globally).")
def sync_commands(config_path: Path | None, db: Path | None, guild_id: int | None) -> None:
    """Register the Discord slash commands now (serve does it only when they changed)."""
    from bot.commands import SummitService
    from bot.logsetup import setup_logging
    from bot.platforms.discord.client import DiscordPlatform

    config = _load_config(config_path, db)
    setup_logging(config.logging)
    if config.discord.token is None:
        raise click.ClickException("set DISCORD_TOKEN (or discord.token_file in the config)")
    service = SummitService(config.db, config.corpus)  # only its index path is used here
    platform = DiscordPlatform(service, config.discord)
    try:
        names = asyncio.run(platform.sync_commands(guild_id))
    except Exception as exc:  # discord.py's errors name the problem, never the token
        raise click.ClickException(f"syncing the commands failed: {exc}") from exc
    guilds = [guild_id] if guild_id is not None else config.discord.sync_guild_ids
    where = (f"server {', '.join(map(str, guilds))}" if guilds
             else "all servers (global; may take a while to appear)")
    click.echo(f"Synced {', '.join('/' + n for n in names)} to {where}.")


def main() -> None:
    """The entry point: an unexpected failure is one line (``--debug`` for the traceback)."""
    try:
        cli(standalone_mode=True)
    except (OSError, sqlite3.Error) as exc:
        if DEBUG:
            raise
        where = getattr(exc, "filename", None)
        click.echo(f"Error: {os_sentence(exc, where, 'go on')} (--debug shows the "
                   "traceback)", err=True)
        raise SystemExit(1) from None
