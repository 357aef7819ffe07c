"""The commands themselves: ask, session, sessions, reload, help.

One SummitService serves every platform in the process. It holds the open index and swaps
it for a new one after a reload; a reload that fails leaves the serving index in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from bot.answer import Answerer, QuestionProblem, parse_question
from bot.answer.scope import folders_of
from bot.clock import Clock, RunningClock, SystemClock
from bot.commands.cooldown import Cooldowns
from bot.commands.labels import distinct_labels
from bot.commands.reload import BuildOutcome, IndexerBounds, build_off_loop, diff_sessions
from bot.commands.reminders import ReminderDesk
from bot.commands.results import (
    AnswerReply,
    HelpReply,
    Notice,
    ReloadReport,
    ReportReply,
    Requester,
    ScheduleReply,
    SessionList,
    SessionNotFound,
    SessionReply,
)
from bot.events import QuestionEvent, QuestionHook, ReloadHook, VoteHook
from bot.feedback.recorder import QuestionRecorder
from bot.feedback.report import build_report
from bot.feedback.store import StateStore, Vote
from bot.schedule.answer import ScheduleAnswerer, schedule_answerer
from bot.schedule.diff import diff_schedules
from bot.schedule.programme import Programme
from bot.schedule.question import read_schedule_question
from bot.schedule.sources import ScheduleSource
from bot.search.build import remove_stale_builds
from bot.search.index import Index, IndexMissing, IndexOutdated, SessionRecord
from bot.search.semantic import Embedder, SemanticUnavailable, load_embedder

log = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_TITLE_CHARS = 300  # a session title asked for; longer is a paste, not a title
MAX_FILTER_CHARS = 100  # the words a session list is filtered by
MAX_PLACE_CHARS = 100  # a room, track or speaker's name given to a schedule command
MAX_SCHEDULE_WORDS = 3 * MAX_PLACE_CHARS + 2  # /schedule's day, room and track together
LABEL_MAX_CHARS = 100  # a session's label fits a platform's pick list (Discord's: 100)


DRAIN_SECONDS = 30.0  # how long a swapped-out index waits for questions still reading it


@dataclass(eq=False)
class _Serving:
    """What answers read, swapped as one: the index, its answerer and the session labels,
    with a count of the questions reading it right now."""

    index: Index
    answerer: Answerer
    labels: dict[int, str]
    schedule: ScheduleAnswerer | None = None  # when the index holds scheduled sessions
    readers: int = 0
    retired: bool = False
    drained: asyncio.Event = field(default_factory=asyncio.Event)


class SummitService:
    """Platform-neutral commands over one index file and the corpus it is built from."""

    def __init__(self, db_path: Path, corpus_paths: list[Path], *, prefix: str = "!",
                 ask_cooldown_seconds: float = 0.0,
                 platform_cooldowns: dict[str, float] | None = None,
                 semantic_model: str | None = None,
                 feedback: StateStore | None = None, retention_days: float = 90,
                 bounds: IndexerBounds | None = None,
                 schedules: Sequence[ScheduleSource] = (),
                 clock: Clock | None = None):
        self.db_path = Path(db_path)
        # The model reloads build with; answers use the model the open index was built with.
        self.semantic_model = semantic_model
        self._embedders: dict[str, Embedder | None] = {}
        self.corpus_paths = [Path(p) for p in corpus_paths]
        self.schedules = list(schedules)  # schedule.sources, read beside the notes
        self.clock = clock or SystemClock()  # "now" for schedule questions
        self.prefix = prefix
        self._serving: _Serving | None = None
        self._reload_lock = asyncio.Lock()
        self.cooldowns = Cooldowns(ask_cooldown_seconds, platform_cooldowns)
        self.question_hooks: list[QuestionHook] = []
        self.reload_hooks: list[ReloadHook] = []
        # what a reload or refresh changed in the schedule, for announcements
        self.schedule_change_hooks: list[Callable[[list[str]], None]] = []
        self.vote_hooks: list[VoteHook] = []
        # The organizers' loop (bot/feedback): questions and votes, when turned on.
        self.feedback = feedback
        self.retention_days = retention_days
        self.bounds = bounds or IndexerBounds()
        if feedback is not None:
            self.question_hooks.append(QuestionRecorder(feedback))
        # Personal reminders (bot/reminders), when turned on: set by ``serve``.
        self.reminders: ReminderDesk | None = None

    # --- life cycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Open the index, building it from the corpus first if there is none yet (or
        the one there was built by a summit-bot of another schema version)."""
        remove_stale_builds(self.db_path)  # what a build killed with its bot left behind
        try:
            index = await Index.open(self.db_path)
        except (IndexMissing, IndexOutdated) as why:
            reason = ("there is none yet" if isinstance(why, IndexMissing)
                      else "the one there is of another summit-bot version")
            log.info("building the index at %s from %s (%s)", self.db_path,
                     ", ".join(map(str, self.corpus_paths)), reason)
            outcome = await build_off_loop([str(p) for p in self.corpus_paths],
                                           str(self.db_path), self.semantic_model,
                                           self.bounds, self.schedules)
            if not outcome.ok:
                raise RuntimeError(outcome.error or "the first index could not be built") \
                    from None
            index = await Index.open(self.db_path)
        await self._install(index)

    async def open_existing(self) -> None:
        """Open the index without building one (the CLI reports a missing index)."""
        await self._install(await Index.open(self.db_path))

    async def _embedder(self, name: str | None) -> Embedder | None:
        """The semantic model an index was built with, loaded once (off the loop). If it
        cannot be loaded here, answers go on without it, and the log says why once."""
        if name is None:
            return None
        if name not in self._embedders:
            try:
                self._embedders[name] = await asyncio.to_thread(load_embedder, name)
            except SemanticUnavailable as exc:
                log.warning("answering without semantic re-ranking: %s", exc)
                self._embedders[name] = None
        return self._embedders[name]

    async def _install(self, index: Index) -> _Serving | None:
        if self.semantic_model and index.semantic_model != self.semantic_model:
            log.warning("the index holds no passage vectors of %s yet, so answers use BM25 "
                        "alone; a reload (or `summit-bot index --semantic`) adds them",
                        self.semantic_model)
        answerer = await Answerer.create(index, await self._embedder(index.semantic_model))
        labels = distinct_labels(index.sessions, LABEL_MAX_CHARS)
        schedule = await schedule_answerer(index)
        old = self._serving
        # index, answerer, labels and programme are swapped together, at once
        self._serving = _Serving(index, answerer, labels, schedule)
        return old

    async def _retire(self, old: _Serving) -> None:
        """Close a swapped-out index once the questions still reading it are done (they
        began before the swap; new ones read the new index)."""
        old.retired = True
        if old.readers:
            try:
                await asyncio.wait_for(old.drained.wait(), DRAIN_SECONDS)
            except TimeoutError:
                log.warning("%d question(s) still read the previous index after %.0f s; "
                            "closing it", old.readers, DRAIN_SECONDS)
        await old.index.close()

    @contextlib.asynccontextmanager
    async def _reading(self) -> AsyncIterator[_Serving]:
        """The serving index, held open until the block ends, even across a swap."""
        serving = self._current()
        serving.readers += 1
        try:
            yield serving
        finally:
            serving.readers -= 1
            if serving.retired and serving.readers == 0:
                serving.drained.set()

    def _current(self) -> _Serving:
        if self._serving is None:
            raise RuntimeError("SummitService.start() has not been awaited")
        return self._serving

    async def close(self) -> None:
        if self._serving is not None:
            serving, self._serving = self._serving, None
            await self._retire(serving)

    @property
    def index(self) -> Index:
        return self._current().index

    @property
    def answerer(self) -> Answerer:
        return self._current().answerer

    @property
    def schedule_answerer(self) -> ScheduleAnswerer | None:
        """The serving index's programme and its answers, when it holds a schedule."""
        return self._current().schedule

    def programme(self) -> Programme | None:
        """The serving index's programme (None without a schedule), read afresh each time:
        a reload swaps it."""
        answerer = self._current().schedule
        return answerer.programme if answerer is not None else None

    @property
    def rehearsing(self) -> bool:
        """serve rehearses the event (SUMMIT_BOT_NOW): its clock runs, but not on the real
        date, so a reader's client would count Discord's relative stamps wrongly."""
        return isinstance(self.clock, RunningClock)

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

    # --- commands -----------------------------------------------------------------------
    async def ask(self, text: str, requester: Requester | None = None
                  ) -> AnswerReply | ScheduleReply | Notice:
        if requester is not None:
            wait = self.cooldowns.check(requester.platform, requester.user_id)
            if wait > 0:
                return Notice(f"You are asking quickly; please try again in "
                              f"{math.ceil(wait)} second{'s' if wait > 1 else ''}.",
                              kind="cooldown")
        started = time.perf_counter()
        try:
            question = parse_question(text)
        except QuestionProblem as problem:
            return Notice(str(problem), kind="error")
        async with self._reading() as serving:
            found = None
            if serving.schedule is not None:
                asked = read_schedule_question(question.text)
                found = serving.schedule.answer(asked, self.clock.now()) if asked else None
                if found is not None:
                    found.rehearsal = self.rehearsing
                if found is not None and found.confident:
                    self._tell(QuestionEvent.of_schedule(
                        found, text, time.perf_counter() - started, requester))
                    return ScheduleReply(found)
            answer = await serving.answerer.answer(question)
            if found is not None and not (answer.answered and answer.confident):
                # the schedule's unsure answer (or its "not in the schedule") beats notes
                # that are unsure too; sure notes ("who gave the Open Compute talk?", of a
                # talk the schedule does not list) beat both
                self._tell(QuestionEvent.of_schedule(
                    found, text, time.perf_counter() - started, requester))
                return ScheduleReply(found)
        answer_id = secrets.token_hex(8) if self.feedback is not None else ""
        self._tell(QuestionEvent.of(answer, text, time.perf_counter() - started, requester,
                                    answer_id))
        return AnswerReply(answer, answer_id)

    def _tell(self, event: QuestionEvent) -> None:
        for hook in self.question_hooks:
            try:
                hook(event)
            except Exception:  # a listener's trouble never costs the asker the answer
                log.exception("a question listener failed")

    def label(self, session: SessionRecord) -> str:
        """The session's title, told apart from others of the same title (labels.py)."""
        return self._current().labels.get(session.id, session.title)

    def _title_choices(self) -> dict[str, int]:
        choices: dict[str, int] = {}
        for session in self.index.sessions:
            choices.setdefault(self.label(session), session.id)
            for alias in session.aliases:
                choices.setdefault(alias, session.id)
        return choices

    def autocomplete(self, current: str, limit: int) -> list[str]:
        """Up to ``limit`` session labels for a partly typed title: fuzzy over titles and
        aliases."""
        sessions = self.index.sessions
        current = current.strip()
        if not current:
            titles = [self.label(s) for s in sessions[:limit]]
        else:
            choices = self._title_choices()
            found = process.extract(current, list(choices), scorer=fuzz.WRatio,
                                    processor=utils.default_process, limit=limit * 2,
                                    score_cutoff=50)
            titles = []
            for choice, _, _ in found:
                title = self.label(sessions[choices[choice]])
                if title not in titles:
                    titles.append(title)
        return [_clip(t, LABEL_MAX_CHARS) for t in titles[:limit]]

    def find(self, title: str) -> SessionRecord | None:
        """A session by its exact (case-insensitive) title or alias, or a clipped title."""
        wanted = title.strip().casefold().rstrip("…")
        for session in self.index.sessions:  # a label from autocomplete names one session
            if self.label(session).casefold().rstrip("…") == wanted:
                return session
        for session in self.index.sessions:
            names = [session.title, *session.aliases]
            if any(n.casefold() == wanted for n in names):
                return session
        for session in self.index.sessions:  # autocomplete may have clipped a long title
            if len(wanted) >= LABEL_MAX_CHARS - 2 and session.title.casefold().startswith(
                    wanted):
                return session
        return None

    async def session(self, title: str) -> SessionReply | SessionNotFound | Notice:
        if not title.strip():
            return Notice("Please give a session title; `sessions` lists them.")
        if len(title) > MAX_TITLE_CHARS:
            return Notice("That title is too long; please type a few words of it.")
        wanted = title.strip().casefold()
        same = [s for s in self.index.sessions if s.title.casefold() == wanted]
        if len(same) > 1:  # a repeated title: the labels tell them apart
            return SessionNotFound(title.strip(), [self.label(s) for s in same[:5]],
                                   ambiguous=True)
        session = self.find(title)
        if session is None:
            containing = [s for s in self.index.sessions
                          if any(wanted in n.casefold() for n in (s.title, *s.aliases))]
            if len(containing) == 1:
                session = containing[0]
            elif containing:
                return SessionNotFound(title, [self.label(s) for s in containing[:5]])
        if session is None:
            choices = self._title_choices()
            found = process.extract(title, list(choices), scorer=fuzz.WRatio,
                                    processor=utils.default_process, limit=6, score_cutoff=60)
            if found and found[0][1] >= 90 and (len(found) == 1 or found[1][1] < 90):
                session = self.index.sessions[choices[found[0][0]]]
            else:
                names: list[str] = []
                for choice, _, _ in found:
                    name = self.label(self.index.sessions[choices[choice]])
                    if name not in names:
                        names.append(name)
                return SessionNotFound(title, names[:3])
        async with self._reading() as serving:  # the index ``session`` was found in
            opening = await serving.index.session_passages(session.id, limit=3)
        return SessionReply(session, opening)

    def sessions(self, query: str | None = None, page: int = 0,
                 per_page: int = PAGE_SIZE) -> SessionList | Notice:
        """Sessions whose title, speakers, summit, track, tags or folders ("kubecon-2017")
        contain every query word."""
        if query is not None and len(query) > MAX_FILTER_CHARS:
            return Notice(f"That filter is {len(query)} characters long; please use a few "
                          f"words (at most {MAX_FILTER_CHARS} characters).")
        words = (query or "").casefold().split()
        matching = []
        for session in self.index.sessions:
            haystack = " ".join([session.title, *session.speakers, session.summit or "",
                                 session.track or "", *session.tags, *session.aliases,
                                 *folders_of(session.source)]).casefold()
            if all(w in haystack for w in words):
                matching.append(session)
        pages = max(1, math.ceil(len(matching) / per_page))
        page = min(max(page, 0), pages - 1)
        return SessionList(query or None, matching[page * per_page:(page + 1) * per_page],
                           page, pages, len(matching))

    async def reload(self, requester: Requester) -> ReloadReport | Notice:
        """Re-index the corpus aside and swap it in; admins only, one at a time."""
        if not requester.is_admin:
            return Notice("Only admins of this server or room can reload the notes.",
                          kind="refused")
        if self._reload_lock.locked():
            return Notice("A reload is already running; its report will follow when it "
                          "finishes.", kind="busy")
        async with self._reload_lock:
            started = time.perf_counter()
            before = self.index
            report = ReloadReport(ok=False, sessions_before=len(before.sessions),
                                  passages_before=before.passage_count)
            try:
                outcome: BuildOutcome = await build_off_loop(
                    [str(p) for p in self.corpus_paths], str(self.db_path),
                    self.semantic_model, self.bounds, self.schedules)
            except Exception as exc:  # the worker died: keep serving what we have
                log.exception("reload failed")
                outcome = BuildOutcome(ok=False, error=f"the indexer stopped ({exc!r})")
            report.problems = outcome.problems
            report.warnings = outcome.warnings
            if outcome.ok:
                try:
                    new_index = await Index.open(self.db_path)
                except Exception as exc:
                    log.exception("new index could not be opened")
                    outcome.ok, outcome.error = False, f"the new index did not open ({exc})"
                else:
                    old = await self._install(new_index)
                    diff_sessions(before.sessions, new_index.sessions, report)
                    report.schedule_changes = [
                        str(c) for c in diff_schedules(before.sessions, new_index.sessions)]
                    report.sessions_after = len(new_index.sessions)
                    report.passages_after = new_index.passage_count
                    if old is not None:
                        await self._retire(old)
            report.ok = outcome.ok
            report.error = outcome.error
            if not outcome.ok:
                report.sessions_after = report.sessions_before
                report.passages_after = report.passages_before
            report.seconds = time.perf_counter() - started
            log.info("reload by %s:%s ok=%s problems=%d", requester.platform,
                     requester.user_id, report.ok, len(report.problems))
            for hook in self.reload_hooks:
                hook(report.ok)
            if report.ok and report.schedule_changes:
                for change_hook in self.schedule_change_hooks:
                    try:
                        change_hook(report.schedule_changes)
                    except Exception:  # announcing never fails the reload
                        log.exception("a schedule change listener failed")
            return report

    async def refresh_schedule(self) -> ReloadReport | None:
        """Fetch the schedule URLs again and rebuild aside, as a reload does (notes files
        unchanged since the last build are not parsed again). None when no source is a URL
        or a reload is already running."""
        if not any(source.url for source in self.schedules) or self.reloading:
            return None
        report = await self.reload(Requester("schedule", "refresh", is_admin=True))
        return report if isinstance(report, ReloadReport) else None

    # --- the organizers' loop -------------------------------------------------------------
    async def vote(self, answer_id: str, requester: Requester, vote: Vote) -> bool:
        """One person's vote on an answer (a second vote changes the first). False when the
        answer is unknown here (or feedback is off, or its database failed)."""
        if self.feedback is None or not answer_id:
            return False
        known = await self.feedback.vote(answer_id, requester.platform, requester.user_id,
                                         vote)
        if known:
            for hook in self.vote_hooks:
                try:
                    hook(requester.platform, vote)
                except Exception:
                    log.exception("a vote listener failed")
        return known

    async def answer_for_message(self, message_ref: str) -> str | None:
        """The answer a platform message carried (for reactions on it)."""
        return None if self.feedback is None else \
            await self.feedback.answer_for_message(message_ref)

    def link_message(self, answer_id: str, message_ref: str) -> None:
        if self.feedback is not None and answer_id:
            self.feedback.link_message(answer_id, message_ref)

    async def other_sessions(self, answer_id: str) -> tuple[list[tuple[str, str]], list[str]]:
        """For "Not it": the passages from other sessions the answer offered, and the
        closest sessions; empty when unknown."""
        found = None if self.feedback is None else await self.feedback.alternatives(answer_id)
        return found or ([], [])

    async def report(self, requester: Requester, days: str = "") -> ReportReply | Notice:
        """The organizers' report over the last ``days`` days (default: the retention)."""
        if not requester.is_admin:
            return Notice("Only admins of this server or room can see the report.",
                          kind="refused")
        if self.feedback is None:
            return Notice("Feedback is turned off (feedback.enabled), so there is nothing "
                          "to report.", kind="info")
        since = float(self.retention_days)
        if days.strip():
            try:
                since = float(days)
            except ValueError:
                since = -1
            if not 0 < since <= 3650:
                return Notice("Give the number of days to report on, e.g. `report 7`.")
        store = self.feedback
        report = await store.read(lambda conn: build_report(conn, since))
        if report is None:
            return Notice("The feedback database cannot be read right now; the log says why.")
        return ReportReply(report)

    # --- the schedule ------------------------------------------------------------------------
    async def schedule(self, kind: str, words: str, requester: Requester | None = None
                       ) -> ScheduleReply | Notice:
        """``/schedule`` (kind "day"), ``/now``, ``/next`` and ``/speaker``: the words name a
        day, a room, a track or a person."""
        if len(words) > MAX_SCHEDULE_WORDS:
            return Notice(f"That is {len(words)} characters long; please name a day, room, "
                          f"track or speaker in a few words (at most {MAX_SCHEDULE_WORDS}).")
        if kind == "speaker" and not words.strip():
            return Notice(f"Name a speaker, e.g. {self.prefix}speaker Jane Doe.")
        started = time.perf_counter()
        async with self._reading() as serving:
            if serving.schedule is None:
                return Notice("No schedule is indexed, so I know no times or rooms; an admin "
                              "can add one under schedule.sources in the config and reload.",
                              kind="info")
            answer = serving.schedule.command(kind, words, self.clock.now())
            answer.rehearsal = self.rehearsing
        self._tell(QuestionEvent.of_schedule(answer, f"{kind} {words}".strip(),
                                             time.perf_counter() - started, requester))
        return ScheduleReply(answer)

    def complete(self, source: str, current: str, limit: int) -> list[str]:
        """Suggestions for a partly typed option: session titles, rooms, tracks, rooms and
        tracks ("places"), speakers or days."""
        if source == "titles":
            return self.autocomplete(current, limit)
        schedule = self._current().schedule
        if schedule is None:
            return []
        return schedule.suggest(source, current, limit)

    def choices(self, source: str, current: str, limit: int) -> list[tuple[str, str]]:
        """The same as (shown, sent) pairs: a talk is shown by its label and sent as its
        stable key (titles repeat); everything else is sent as shown."""
        if source == "talks":
            return [] if self.reminders is None else self.reminders.choices(current, limit)
        return [(text, text) for text in self.complete(source, current, limit)]

    def help(self) -> HelpReply:
        return HelpReply(prefix=self.prefix, sessions=len(self.index.sessions))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
