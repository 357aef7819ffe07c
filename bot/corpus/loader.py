"""Walking a tree of notes: picks a reader per file, and reports every file it cannot use."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

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


def read_note_file(path: Path, source: str) -> tuple[list[Session], str | None]:
    """Sessions of one file, and a warning worth reporting (bad bytes). Raises NoteError."""
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
    readers: dict[str, Callable[[], list[Session]]] = {
        "markdown": lambda: read_markdown(text, source, path.stem),
        "yaml": lambda: read_yaml(text, source),
        "text": lambda: read_plaintext(text, source, path.stem),
        "rst": lambda: read_rst(text, source, path.stem),
    }
    sessions = readers[kind or "text"]()
    if not sessions:
        raise NoteError("no session notes were found in it (no text under any title)")
    warning = "it is not valid UTF-8; bad bytes were replaced with �" if replaced else None
    return sessions, warning


def is_candidate(path: Path) -> bool:
    """Is this a file we try to read as notes (not a README, licence or image)?"""
    return not _NOT_NOTES.match(path.name) and _kind(path) is not None


def load_corpus(
    paths: Iterable[Path | str],
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Read every notes file under the paths; a bad file is reported, never fatal."""
    roots = [Path(p) for p in paths]
    report = LoadReport()
    for root in roots:
        if not root.exists():
            report.skipped.append(SkippedFile(str(root), "it does not exist"))
    files = [(f, r) for f, r in iter_note_files(r for r in roots if r.exists())
             if is_candidate(f)]
    seen: set[tuple[str, str]] = set()
    for done, (path, root) in enumerate(files, start=1):
        try:
            rel = path.relative_to(root).as_posix() if path != root else path.name
        except ValueError:
            rel = path.as_posix()
        source = rel if len(roots) == 1 else f"{root.name}/{rel}"
        report.files_read += 1
        try:
            sessions, warning = read_note_file(path, source)
        except NoteError as exc:
            report.skipped.append(SkippedFile(source, str(exc)))
        except Exception as exc:  # a reader bug must not lose the other files
            report.skipped.append(SkippedFile(source, f"it could not be read ({exc!r})"))
        else:
            if warning:
                report.warnings.append(SkippedFile(source, warning))
            for session in sessions:
                key = (session.title.casefold(), session.summit or "")
                if key in seen:  # same talk twice: keep both, but make titles distinct
                    session.title = f"{session.title} ({source})"
                seen.add((session.title.casefold(), session.summit or ""))
                report.sessions.append(session)
        if progress:
            progress(done, len(files))
    return report
