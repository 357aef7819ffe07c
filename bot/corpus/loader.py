"""Walking a tree of notes: picks a reader per file, and reports every file it cannot use."""

from __future__ import annotations

import errno
import multiprocessing
import os
import re
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from bot.corpus.cache import Outcome, ReaderCache, file_key
from bot.corpus.errors import NoteError
from bot.corpus.limits import (
    DEFAULT_LIMITS,
    ReadLimits,
    check_headings,
    check_lines,
    flatten_deep_lists,
    time_budget,
)
from bot.corpus.markdown import read_markdown
from bot.corpus.models import LoadReport, Session, SkippedFile
from bot.corpus.plaintext import read_plaintext
from bot.corpus.rst import read_rst
from bot.corpus.text import clean_text, date_in_filename, decode_bytes, legacy_encoded
from bot.corpus.titles import NOTE_TAKERS_LIST
from bot.corpus.yamlnotes import read_yaml
from bot.process import die_with_parent

if TYPE_CHECKING:
    from bot.schedule.sources import ScheduleSource

MARKDOWN = {".md", ".markdown", ".mdown", ".mkd"}
YAML = {".yaml", ".yml"}
TEXT = {".txt", ".text"}
RST = {".rst", ".rest"}
SUPPORTED = MARKDOWN | YAML | TEXT | RST
# Documents people keep notes in that are not read: named in the report, so that notes kept
# in Org mode or as web pages are not missing without a word (images and the like are).
OTHER_DOCUMENTS = frozenset({".org", ".html", ".htm", ".adoc", ".asciidoc", ".docx", ".doc",
                             ".odt", ".rtf", ".pdf", ".ipynb", ".tex", ".textile", ".pages"})

# Files that live beside notes but are not notes: counted, never reported as failures.
_NOT_NOTES = re.compile(
    r"^(readme|license|licence|copying|contributing|changelog|changes|code_of_conduct|"
    r"owners|owners_aliases|security_contacts|authors|notice)(\..*)?$",
    re.IGNORECASE,
)
# Folders a site generator or a build keeps beside the notes: never notes. Other folders
# that start with "_" are read: Jekyll keeps its posts in _posts/, collections in _talks/.
_TOOLING_FOLDERS = frozenset({
    "_site", "_build", "_templates", "_static", "_layouts", "_includes", "_sass", "_scss",
    "_data", "_config", "_drafts", "_book", "_output", "_freeze", "_extensions", "_assets",
    "_images", "_img", "_media", "_plugins", "_vendor", "_theme", "_themes", "_partials",
    "_archetypes", "_resources", "_public", "_dist", "_cache", "_temp", "_tmp", "__pycache__",
    "_pages_build", "_bookdown_files", "_quarto"})
_README = re.compile(r"^readme(\.[^.]+)?$", re.IGNORECASE)
# Files that take their folder's name (a page bundle's index.md, a talk folder's README).
_FOLDER_NOTES = re.compile(r"^(?:readme|_?index)(\.[^.]+)?$", re.IGNORECASE)
_MARKDOWN_SNIFF = re.compile(r"^(#{1,6}\s|\s*[-*+]\s|-{3,}\s*$|=+\s*$)", re.MULTILINE)


_ATX_HEADING = re.compile(r"^#{1,3} \S", re.MULTILINE)


def _kind(path: Path, text: str | None = None) -> str | None:
    suffix = path.suffix.lower()
    if suffix in MARKDOWN:
        return "markdown"
    if suffix in YAML:
        return "yaml"
    if suffix in TEXT:
        # Notes written in Markdown and saved as .txt: read by their headings
        if text is not None and len(_ATX_HEADING.findall(text[:200_000])) >= 2:
            return "markdown"
        return "text"
    if suffix in RST:
        return "rst"
    if suffix == "" or not re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]{0,7}", suffix):
        # No extension (or a dot in a talk's name): sniff the content.
        if text is None:
            return "sniff"
        return "markdown" if _MARKDOWN_SNIFF.search(text[:4000]) else "text"
    return None


def iter_note_files(roots: Iterable[Path]) -> Iterator[tuple[Path, Path, str | None]]:
    """(path, root, problem) in a stable order: each file, with why it cannot be read if
    that is already clear (a folder that cannot be listed, a link out of the folder, a
    pipe). Hidden files and folders are passed over; links to folders are not followed."""
    for root in roots:
        if not root.is_dir():
            yield root, root.parent, None
            continue
        unlisted: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=unlisted.append):
            while unlisted:
                failed = unlisted.pop()
                where = Path(failed.filename or dirpath)
                yield where, root, ("the folder cannot be read (permission denied)"
                                    if failed.errno in (errno.EACCES, errno.EPERM)
                                    else f"the folder cannot be read ({failed.strerror})")
            here = Path(dirpath)
            kept = []
            for name in sorted(dirnames):
                if name.startswith(".") or name.lower() in _TOOLING_FOLDERS:
                    continue
                if (here / name).is_symlink():
                    yield here / name, root, ("it is a link to a folder, which is not "
                                              "followed; give the folder itself instead")
                    continue
                kept.append(name)
            dirnames[:] = kept
            for name in sorted(filenames):
                if not name.startswith((".", "~")) and not name.endswith("~"):
                    path = here / name
                    yield path, root, _entry_problem(path, root)
        while unlisted:  # the root itself
            failed = unlisted.pop()
            yield Path(failed.filename or root), root, f"it cannot be read ({failed.strerror})"


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size // 1024} KiB"


def _read_bounded(path: Path, limits: ReadLimits) -> bytes:
    """The file's bytes, if it is a regular file within the size limit (read with a bound:
    a file that grows, or claims to be empty like those in /proc, cannot exceed it)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise NoteError(_os_reason(exc)) from exc
    if not stat.S_ISREG(info.st_mode):
        raise NoteError("it is not a regular file (a pipe, device or socket); only files "
                        "are read")
    too_big = (f"it is over {_size_text(limits.max_file_bytes)} (limits.max_file_bytes); "
               "split it into one file per talk")
    if info.st_size > limits.max_file_bytes:
        raise NoteError(too_big.replace("over", f"{_size_text(info.st_size)}, over"))
    try:
        with path.open("rb") as handle:
            raw = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise NoteError(_os_reason(exc)) from exc
    if len(raw) > limits.max_file_bytes:
        raise NoteError(too_big)
    return raw


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link that leads back to itself"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "it cannot be read (permission denied); make it readable by the bot's user"
    return f"it cannot be read ({exc.strerror or exc})"


def read_note_file(path: Path, source: str, limits: ReadLimits = DEFAULT_LIMITS
                   ) -> tuple[list[Session], list[str]]:
    """Sessions of one file, and warnings worth reporting (bad bytes, text that belongs
    to no session). Raises NoteError; never runs past ``limits``."""
    raw = _read_bounded(path, limits)
    if b"\0" in raw[:8192]:
        raise NoteError("it is a binary file, not notes")
    text, replaced = decode_bytes(raw)
    check_lines(text, limits)
    text = clean_text(text)
    if not text.strip():
        raise NoteError("it is empty")
    kind = _kind(path, text)
    stem = note_stem(path)
    warnings: list[str] = []
    if replaced and legacy_encoded(raw):
        warnings.append("it is not UTF-8, so it was read as Windows-1252 (Latin-1); save it "
                        "as UTF-8 if its accents look wrong")
    elif replaced:
        warnings.append("it is not valid UTF-8; bad bytes were replaced with �")
    if kind != "yaml":
        check_headings(text, limits)
        text = flatten_deep_lists(text, limits)
    readers: dict[str, Callable[[], list[Session]]] = {
        "markdown": lambda: read_markdown(text, source, stem, warnings.append, limits),
        "yaml": lambda: read_yaml(text, source, warnings.append, limits),
        "text": lambda: read_plaintext(text, source, stem, warnings.append),
        "rst": lambda: read_rst(text, source, stem, warnings.append),
    }
    with time_budget(limits.seconds_per_file, "limits.seconds_per_file"):
        sessions = readers[kind or "text"]()
    if len(sessions) > limits.max_sessions_per_file:
        raise NoteError(f"it holds {len(sessions):,} sessions (the limit is "
                        f"{limits.max_sessions_per_file:,}, limits.max_sessions_per_file); "
                        "split it")
    passages = sum(len(s.passages) for s in sessions)
    if passages > limits.max_passages_per_file:
        raise NoteError(f"it holds {passages:,} passages (the limit is "
                        f"{limits.max_passages_per_file:,}, limits.max_passages_per_file); "
                        "split it")
    if len(sessions) == 1 and NOTE_TAKERS_LIST.match(sessions[0].title) and not \
            text.startswith("---"):
        raise NoteError(f"its title (“{sessions[0].title}”) says it is the note-taker's own "
                        "list, not a session's notes; give it front matter with a title to "
                        "index it anyway")
    if not sessions:
        raise NoteError("no session notes were found in it (no text under any title)")
    if kind == "markdown" and _is_index_page(path, sessions):
        raise NoteError("it is an index page (it links to other notes, or only introduces "
                        "them), not a session's notes")
    dated = date_in_filename(stem) or date_in_filename(path.parent.name)
    if dated is not None:  # a blog post's date, where its notes give none
        for session in sessions:
            session.date = session.date or dated
    return _drop_repeats(sessions), warnings


def _drop_repeats(sessions: list[Session]) -> list[Session]:
    """The same talk pasted twice into one file is one session: a session with the title
    of an earlier one of the file, and mostly its passages, adds only the passages the
    first does not have. Two talks that only share a title stay two sessions."""
    kept: list[Session] = []
    by_title: dict[str, Session] = {}
    for session in sessions:
        first = by_title.get(session.title)
        if first is not None:
            known = {p.text for p in first.passages}
            if sum(p.text in known for p in session.passages) * 2 >= len(session.passages):
                for passage in session.passages:
                    if passage.text not in known:
                        passage.position = len(first.passages)
                        first.passages.append(passage)
                first.speakers.extend(n for n in session.speakers if n not in first.speakers)
                continue
        by_title.setdefault(session.title, session)
        kept.append(session)
    return kept


# A link to another notes file or folder beside this one ("[Day 1](./day-1.md)",
# "[Blockchain](./blockchain)", DocC's "<doc:Swift-Beyond-Apple>").
_LOCAL_LINK = re.compile(r"\]\((?![a-z]+:|#)(?:[^)\s]+\.(?:md|markdown|rst|txt|ipynb|html?)|"
                         r"\.{1,2}/[^)\s]*)\)|<doc:", re.IGNORECASE)
# An index page's own words at most (hand-set: "Notes from conferences I've attended.").
_INDEX_PAGE_WORDS = 40


def _is_index_page(path: Path, sessions: list[Session]) -> bool:
    """A page that lists other notes (most of its lines link to them), or a site's index
    page with a line or two above folders of notes: quoting it answers nothing."""
    lines = [line for s in sessions for p in s.passages for line in p.text.split("\n")
             if line.strip()]
    linking = sum(1 for line in lines if _LOCAL_LINK.search(line))
    if linking and linking * 3 >= len(lines) * 2:
        return True
    if not re.match(r"^_?index\.", path.name, re.IGNORECASE):
        return False
    words = sum(len(line.split()) for line in lines)
    return words < _INDEX_PAGE_WORDS and _has_other_notes(path, unreadable=False)


def _has_other_notes(path: Path, *, unreadable: bool) -> bool:
    """Whether ``path``'s folder or those below it hold other notes files (``unreadable``:
    the answer when they cannot be listed)."""
    try:
        for folder, subfolders, files in os.walk(path.parent):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            if any(is_candidate(Path(folder, name)) for name in files
                   if Path(folder, name) != path):
                return True
    except OSError:
        return unreadable
    return False


def is_candidate(path: Path) -> bool:
    """Is this a file we try to read as notes (not a README, licence or image)?"""
    return not _NOT_NOTES.match(path.name) and _kind(path) is not None


def note_stem(path: Path) -> str:
    """The name a file's title and date are made from when its notes give none: a talk's
    folder for its README or index file (talks/2019-05-03-async-patterns/README.md)."""
    if _FOLDER_NOTES.match(path.name) and path.parent.name:
        return path.parent.name
    return path.stem


def is_talk_readme(path: Path) -> bool:
    """A README that is the only notes file in its folder and below: a talk's notes in a
    folder of its own, or a repository whose notes are all in its README; not a
    repository's or an event's description (those sit above or beside other notes)."""
    if not _README.match(path.name) or _kind(path) is None:
        return False
    return not _has_other_notes(path, unreadable=True)


# Below this many bytes of notes, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 512 * 1024


def _read_one(path: Path, source: str, limits: ReadLimits = DEFAULT_LIMITS) -> Outcome:
    """One file's sessions and warnings, or the reason it cannot be used (never raises:
    a reader bug must not lose the other files)."""
    try:
        return read_note_file(path, source, limits)
    except NoteError as exc:
        return str(exc)
    except MemoryError:
        return ("it needs more memory than the indexer may use (limits.indexer_memory_mb); "
                "split it")
    except RecursionError:
        return "it is nested too deeply to read; flatten its structure"
    except Exception as exc:
        return f"it could not be read ({exc!r})"


def _resolved(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return path


def _read_schedules(found: list[tuple[Path, str]], sources: Sequence[ScheduleSource],
                    report: LoadReport, limits: ReadLimits, fetched: Path | None) -> None:
    """Schedule exports found among the notes, then the configured sources."""
    from bot.schedule.fetch import fetch_source
    from bot.schedule.sources import read_schedule_file

    for path, source in found:
        outcome = read_schedule_file(path, source, None, limits)
        if outcome is None:  # some other JSON or XML beside the notes: not ours to read
            continue
        _add_outcome(report, source, outcome)
    for spec in sources:
        raw: bytes | None = None
        if spec.url:
            got = fetch_source(spec.url, fetched, limits.max_schedule_bytes,
                               looks_right=_is_schedule)
            if got.note:
                report.warnings.append(SkippedFile(spec.url, got.note))
            if got.body is None:
                report.skipped.append(SkippedFile(spec.url, got.error or "it was not fetched"))
                continue
            raw, path, source = got.body, Path(spec.url.rsplit("/", 1)[-1] or "schedule"), \
                spec.url
        else:
            path = Path(spec.path or "")
            source = shown(spec.path or "")
            if not path.is_file():
                report.skipped.append(SkippedFile(source, "it does not exist (schedule.sources)"
                                                  if not path.exists() else
                                                  "it is not a file (schedule.sources)"))
                continue
        outcome = read_schedule_file(path, source, spec, limits, raw)
        _add_outcome(report, source, outcome if outcome is not None else (
            "it is not a schedule export summit-bot reads (pretalx or frab JSON, frab or "
            "Pentabarf XML, Sessionize JSON, iCalendar)"))


def _is_schedule(body: bytes) -> bool:
    from bot.schedule.reader import sniff_schedule

    return sniff_schedule(body[:65536], "") is not None


def _add_outcome(report: LoadReport, source: str, outcome: Outcome) -> None:
    report.files_read += 1
    if isinstance(outcome, str):
        report.skipped.append(SkippedFile(source, outcome))
        return
    sessions, warnings = outcome
    report.sessions.extend(sessions)
    report.warnings.extend(SkippedFile(source, w) for w in warnings)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _reader_process_setup() -> None:
    """A reader process lets go of the parent's stdout and stderr (whoever waits for those
    pipes to close, like the reload that runs the indexer, must not wait on the readers
    too), and dies with its parent."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    die_with_parent()


def _read_all(jobs: list[tuple[Path, str]], workers: int | None,
              limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[Outcome]:
    """Outcomes in the order of ``jobs``; large corpora are read by one process per core.

    Parsing (docutils above all) is CPU-bound and files are independent, so processes
    share the work; the biggest files are handed out first to keep the cores even. Fork
    is used where it exists and no other thread runs.
    """
    count = workers if workers is not None else (os.cpu_count() or 1)
    total = sum(_size(path) for path, _ in jobs)
    methods = multiprocessing.get_all_start_methods()
    # Forking a process that runs threads can copy a lock held by one of them: read in
    # this process then (a library caller with threads; the CLI and indexer have none).
    if (count < 2 or len(jobs) < 4 or total < PARALLEL_MIN_BYTES or "fork" not in methods
            or threading.active_count() > 1):
        for path, source in jobs:
            yield _read_one(path, source, limits)
        return
    order = sorted(range(len(jobs)), key=lambda n: -_size(jobs[n][0]))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(count, 8), mp_context=context,
                             initializer=_reader_process_setup) as pool:
        futures = {n: pool.submit(_read_one, *jobs[n], limits) for n in order}
        for n in range(len(jobs)):
            try:
                yield futures[n].result()
            except Exception as exc:  # the worker died (killed, out of memory)
                yield f"it could not be read (the reader process failed: {exc!r})"


def _key(path: Path, source: str, limits: ReadLimits) -> str | None:
    """The cache key of a regular file of notes size, else None (read it, don't cache)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > limits.max_file_bytes:
            return None
        with path.open("rb") as handle:
            return file_key(handle.read(limits.max_file_bytes + 1), source, note_stem(path))
    except OSError:
        return None


def _entry_problem(path: Path, root: Path) -> str | None:
    """Why a directory entry is not read as notes, or None: only regular files, inside the
    notes folder, with a name that can be shown."""
    if _unshowable(path.name):
        return "its name is not valid UTF-8; rename it"
    try:
        info = path.stat()
    except OSError as exc:
        return _os_reason(exc)
    if path.is_symlink():
        try:
            path.resolve(strict=True).relative_to(root.resolve())
        except ValueError:
            return "it is a symbolic link to outside the notes folder; copy the file in"
        except (OSError, RuntimeError):
            return "it is a symbolic link that leads back to itself"
    if stat.S_ISDIR(info.st_mode):
        return None  # walked into, when it is inside the folder
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file (a pipe, device or socket); only files are read"
    return None


def _unshowable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by Python as surrogates
        return True
    return False


def shown(path: str) -> str:
    """A path fit to print: bytes that are not UTF-8 shown as \\xNN."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def load_corpus(
    paths: Iterable[Path | str],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    cache: Path | None = None,
    reread: bool = False,
    limits: ReadLimits = DEFAULT_LIMITS,
    schedules: Sequence[ScheduleSource] = (),
    fetched: Path | None = None,
) -> LoadReport:
    """Read every notes file under the paths, and the schedule exports among them and in
    ``schedules``; a bad file is reported, never fatal.

    ``workers``: processes to read with (default: one per core, for large corpora).
    ``cache``: a reader cache file (cache.py); files read before, unchanged, are not
    read again (unless ``reread``: then every file is read and the cache refreshed).
    ``limits``: what any one file may cost (limits.py). ``fetched``: the folder that keeps
    the last good copy of each schedule URL (default: none kept)."""
    from bot.schedule.sources import SCHEDULE_SUFFIXES

    roots = [Path(p) for p in paths]
    report = LoadReport()
    for root in roots:
        if not root.exists():
            report.skipped.append(SkippedFile(shown(str(root)), "it does not exist"))
    # A schedule file that is also a configured source is read once, with its settings.
    configured = {_resolved(s.path) for s in schedules if s.path}
    jobs: list[tuple[Path, str]] = []
    schedule_jobs: list[tuple[Path, str]] = []
    for path, root, problem in iter_note_files(r for r in roots if r.exists()):
        scheduled = path.suffix.lower() in SCHEDULE_SUFFIXES
        if problem is None and not scheduled and not is_candidate(path) \
                and not is_talk_readme(path):
            if path.suffix.lower() in OTHER_DOCUMENTS:  # notes, but not in a format we read
                problem = (f"summit-bot does not read {path.suffix.lower()} files; convert it "
                           "to Markdown (pandoc does) to index it")
            else:
                continue
        try:
            rel = path.relative_to(root).as_posix() if path != root else path.name
        except ValueError:
            rel = path.as_posix()
        source = rel if len(roots) == 1 else f"{root.name}/{rel}"
        if problem is not None:
            report.skipped.append(SkippedFile(shown(source), problem))
            continue
        if scheduled:
            if _resolved(str(path)) not in configured:
                schedule_jobs.append((path, source))
            continue
        jobs.append((path, source))
    _read_schedules(schedule_jobs, schedules, report, limits, fetched)
    store = ReaderCache(cache) if cache is not None else None
    keys = ([_key(path, source, limits) for path, source in jobs] if store
            else [None] * len(jobs))
    outcomes: dict[int, Outcome] = {}
    if store is not None and not reread:
        known = store.get_many(k for k in keys if k)
        outcomes = {n: known[k] for n, k in enumerate(keys) if k in known}
    todo = [n for n in range(len(jobs)) if n not in outcomes]
    fresh = _read_all([jobs[n] for n in todo], workers, limits)
    new: dict[str, Outcome] = {}
    for done, (n, (_, source)) in enumerate(enumerate(jobs), start=1):
        outcome = outcomes.get(n)
        if outcome is None:
            outcome = next(fresh)
            key = keys[n]
            if key:
                new[key] = outcome
        report.files_read += 1
        if isinstance(outcome, str):
            report.skipped.append(SkippedFile(source, outcome))
        else:
            sessions, warnings = outcome
            report.warnings.extend(SkippedFile(source, w) for w in warnings)
            report.sessions.extend(sessions)
        if progress:
            progress(done, len(jobs))
    if store is not None:
        store.put_many(new)
        store.close()
    if any(s.slot is not None for s in report.sessions):
        from bot.schedule.match import merge_notes_into_schedule

        report.sessions, report.matched = merge_notes_into_schedule(report.sessions)
    return report
