"""Walking a tree of notes: picks a reader per file, and reports every file it cannot use."""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bot.corpus.cache import Outcome, ReaderCache, file_key
from bot.corpus.errors import NoteError
from bot.corpus.markdown import read_markdown
from bot.corpus.models import LoadReport, Session, SkippedFile
from bot.corpus.plaintext import read_plaintext
from bot.corpus.rst import read_rst
from bot.corpus.text import clean_text, decode_bytes
from bot.corpus.yamlnotes import read_yaml

MAX_FILE_BYTES = 8 * 1024 * 1024

MARKDOWN = {".md", ".markdown", ".mdown", ".mkd"}
YAML = {".yaml", ".yml"}
TEXT = {".txt", ".text"}
RST = {".rst", ".rest"}
SUPPORTED = MARKDOWN | YAML | TEXT | RST

# Files that live beside notes but are not notes: counted, never reported as failures.
_NOT_NOTES = re.compile(
    r"^(readme|license|licence|copying|contributing|changelog|changes|code_of_conduct|"
    r"owners|owners_aliases|security_contacts|authors|notice)(\..*)?$",
    re.IGNORECASE,
)
# Files of a note-taker's own lists that sit beside the notes of talks.
_NOT_A_SESSION = re.compile(
    r"^(?:(?:notable |favou?rite |best )?quotes|(?:tech|things|stuff|tools) to (?:check|try|"
    r"read|look at)(?: out)?|to ?do|todo list|reading list|bookmarks|links|table of contents|"
    r"contents|index)$",
    re.IGNORECASE,
)
_MARKDOWN_SNIFF = re.compile(r"^(#{1,6}\s|\s*[-*+]\s|---\s*$|=+\s*$)", re.MULTILINE)


def _kind(path: Path, text: str | None = None) -> str | None:
    suffix = path.suffix.lower()
    if suffix in MARKDOWN:
        return "markdown"
    if suffix in YAML:
        return "yaml"
    if suffix in TEXT:
        return "text"
    if suffix in RST:
        return "rst"
    if suffix == "" or not re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]{0,7}", suffix):
        # No extension (or a dot in a talk's name): sniff the content.
        if text is None:
            return "sniff"
        return "markdown" if _MARKDOWN_SNIFF.search(text[:4000]) else "text"
    return None


def iter_note_files(roots: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """(file, root) pairs in a stable order; hidden files and folders are passed over."""
    for root in roots:
        if root.is_file():
            yield root, root.parent
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
            for name in sorted(filenames):
                if not name.startswith((".", "~")) and not name.endswith("~"):
                    yield Path(dirpath) / name, root


def read_note_file(path: Path, source: str) -> tuple[list[Session], list[str]]:
    """Sessions of one file, and warnings worth reporting (bad bytes, text that belongs
    to no session). Raises NoteError."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NoteError(f"it cannot be read ({exc.strerror})") from exc
    if size > MAX_FILE_BYTES:
        raise NoteError(f"it is {size // (1024 * 1024)} MiB; notes files are limited to "
                        f"{MAX_FILE_BYTES // (1024 * 1024)} MiB, split it")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NoteError(f"it cannot be read ({exc.strerror})") from exc
    if b"\0" in raw[:8192]:
        raise NoteError("it is a binary file, not notes")
    text, replaced = decode_bytes(raw)
    text = clean_text(text)
    if not text.strip():
        raise NoteError("it is empty")
    kind = _kind(path, text)
    warnings: list[str] = []
    if replaced:
        warnings.append("it is not valid UTF-8; bad bytes were replaced with �")
    readers: dict[str, Callable[[], list[Session]]] = {
        "markdown": lambda: read_markdown(text, source, path.stem, warnings.append),
        "yaml": lambda: read_yaml(text, source, warnings.append),
        "text": lambda: read_plaintext(text, source, path.stem, warnings.append),
        "rst": lambda: read_rst(text, source, path.stem, warnings.append),
    }
    sessions = readers[kind or "text"]()
    if len(sessions) == 1 and _NOT_A_SESSION.match(sessions[0].title) and not \
            text.startswith("---"):
        raise NoteError(f"its title (“{sessions[0].title}”) says it is the note-taker's own "
                        "list, not a session's notes; give it front matter with a title to "
                        "index it anyway")
    if not sessions:
        raise NoteError("no session notes were found in it (no text under any title)")
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


def is_candidate(path: Path) -> bool:
    """Is this a file we try to read as notes (not a README, licence or image)?"""
    return not _NOT_NOTES.match(path.name) and _kind(path) is not None


# Below this many bytes of notes, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 512 * 1024


def _read_one(path: Path, source: str) -> Outcome:
    """One file's sessions and warnings, or the reason it cannot be used (never raises:
    a reader bug must not lose the other files)."""
    try:
        return read_note_file(path, source)
    except NoteError as exc:
        return str(exc)
    except Exception as exc:
        return f"it could not be read ({exc!r})"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _detach_output() -> None:
    """A reader process lets go of the parent's stdout and stderr: whoever waits for those
    pipes to close (the reload that runs the indexer) must not wait on the readers too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _read_all(jobs: list[tuple[Path, str]], workers: int | None) -> Iterator[Outcome]:
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
            yield _read_one(path, source)
        return
    order = sorted(range(len(jobs)), key=lambda n: -_size(jobs[n][0]))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(count, 8), mp_context=context,
                             initializer=_detach_output) as pool:
        futures = {n: pool.submit(_read_one, *jobs[n]) for n in order}
        for n in range(len(jobs)):
            try:
                yield futures[n].result()
            except Exception as exc:  # the worker died (killed, out of memory)
                yield f"it could not be read (the reader process failed: {exc!r})"


def _key(path: Path, source: str) -> str | None:
    """The cache key of a regular file of notes size, else None (read it, don't cache)."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        return file_key(path.read_bytes(), source, path.stem)
    except OSError:
        return None


def load_corpus(
    paths: Iterable[Path | str],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    cache: Path | None = None,
    reread: bool = False,
) -> LoadReport:
    """Read every notes file under the paths; a bad file is reported, never fatal.

    ``workers``: processes to read with (default: one per core, for large corpora).
    ``cache``: a reader cache file (cache.py); files read before, unchanged, are not
    read again (unless ``reread``: then every file is read and the cache refreshed)."""
    roots = [Path(p) for p in paths]
    report = LoadReport()
    for root in roots:
        if not root.exists():
            report.skipped.append(SkippedFile(str(root), "it does not exist"))
    jobs: list[tuple[Path, str]] = []
    for path, root in iter_note_files(r for r in roots if r.exists()):
        if not is_candidate(path):
            continue
        try:
            rel = path.relative_to(root).as_posix() if path != root else path.name
        except ValueError:
            rel = path.as_posix()
        jobs.append((path, rel if len(roots) == 1 else f"{root.name}/{rel}"))
    store = ReaderCache(cache) if cache is not None else None
    keys = [_key(path, source) for path, source in jobs] if store else [None] * len(jobs)
    outcomes: dict[int, Outcome] = {}
    if store is not None and not reread:
        known = store.get_many(k for k in keys if k)
        outcomes = {n: known[k] for n, k in enumerate(keys) if k in known}
    todo = [n for n in range(len(jobs)) if n not in outcomes]
    fresh = _read_all([jobs[n] for n in todo], workers)
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
    return report
