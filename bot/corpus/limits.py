"""Bounds on reading notes, so that no file (broken, huge or hostile) can cost the indexer
unbounded time or memory. A file over a limit is skipped, named, with the reason in plain
words; every other file is still indexed. Each bound is a setting (``limits:`` in the
config; the README lists them)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from bot.schedule.limits import ScheduleLimits

from bot.corpus.errors import NoteError
from bot.process import TimeUp, alarm_after


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_file_bytes: int = 2 * 1024 * 1024  # a talk's notes are kilobytes; 2 MiB is generous
    max_line_chars: int = 100_000  # a longer "line" is a dump, not notes
    max_sessions_per_file: int = 2_000
    max_passages_per_file: int = 20_000
    max_list_depth: int = 16  # bullets nested deeper are flattened to this depth
    max_yaml_aliases: int = 16  # *references: notes need none; a "billion laughs" has 90
    max_yaml_depth: int = 64
    seconds_per_file: float = 20.0  # reading one file; 0 = no limit
    # Schedule exports are one large file (several MB, often on one line): bounds of their own.
    max_schedule_bytes: int = 32 * 1024 * 1024
    max_schedule_events: int = 20_000
    seconds_per_schedule: float = 30.0

    def schedule_limits(self) -> ScheduleLimits:
        from bot.schedule.limits import ScheduleLimits

        return ScheduleLimits(max_schedule_bytes=self.max_schedule_bytes,
                              max_events=self.max_schedule_events,
                              seconds_per_file=self.seconds_per_schedule)


DEFAULT_LIMITS = ReadLimits()


class BoundedYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses alias bombs and deep nesting, and keeps values a
    notes file has no use for as numbers or dates (huge integers, impossible dates) as the
    text they are, instead of failing with a Python error."""

    max_aliases = DEFAULT_LIMITS.max_yaml_aliases
    max_depth = DEFAULT_LIMITS.max_yaml_depth

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > self.max_aliases:
                raise NoteError(f"it uses more than {self.max_aliases} YAML aliases (*name); "
                                "notes need none: write the values out")
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise NoteError(f"its YAML is nested more than {self.max_depth} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _int_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if len(text) > 50:
        return text
    return yaml.SafeLoader.construct_yaml_int(loader, node)  # type: ignore[arg-type]


BoundedYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
BoundedYamlLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


def bounded_yaml_loader(limits: ReadLimits) -> type[BoundedYamlLoader]:
    if (limits.max_yaml_aliases, limits.max_yaml_depth) == (
            BoundedYamlLoader.max_aliases, BoundedYamlLoader.max_depth):
        return BoundedYamlLoader
    return type("Bounded", (BoundedYamlLoader,), {"max_aliases": limits.max_yaml_aliases,
                                                  "max_depth": limits.max_yaml_depth})


def load_yaml(text: str, limits: ReadLimits = DEFAULT_LIMITS) -> Any:
    return yaml.load(text, Loader=bounded_yaml_loader(limits))


def check_lines(text: str, limits: ReadLimits) -> None:
    """Refuse a file with a line past ``max_line_chars`` (found without splitting it)."""
    start = 0
    limit = limits.max_line_chars
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        if end < 0:
            end = length
        if end - start > limit:
            line = text.count("\n", 0, start) + 1
            raise NoteError(f"line {line} is {end - start:,} characters long (the limit is "
                            f"{limit:,}); break it into paragraphs")
        start = end + 1


def check_headings(text: str, limits: ReadLimits) -> None:
    """Refuse, before parsing, a file with far more headings than it may hold sessions."""
    headings = text.count("\n#") + text.startswith("#")
    if headings > limits.max_sessions_per_file * 4:
        raise NoteError(f"it has {headings:,} headings, far more sessions than a file may "
                        f"hold ({limits.max_sessions_per_file:,}, "
                        "limits.max_sessions_per_file); split it")


def flatten_deep_lists(text: str, limits: ReadLimits) -> str:
    """Bullets indented past ``max_list_depth`` levels are brought back to it, so that no
    parser recurses thousands of levels; their text is kept."""
    most = limits.max_list_depth * 2  # two spaces a level, as outlines are written
    if "\n" + " " * (most + 1) not in text and "\n" + "\t" * (limits.max_list_depth + 1) \
            not in text:
        return text
    lines = text.split("\n")
    for n, line in enumerate(lines):
        stripped = line.lstrip(" \t")
        indent = len(line) - len(stripped)
        if (indent > most and stripped[:1] in ("-", "*", "+")) or indent > most * 4:
            lines[n] = " " * most + stripped
    return "\n".join(lines)


@contextlib.contextmanager
def time_budget(seconds: float, what: str) -> Iterator[None]:
    """Raise NoteError if the block runs longer than ``seconds`` (see alarm_after)."""
    try:
        with alarm_after(seconds):
            yield
    except TimeUp:
        raise NoteError(f"reading it took longer than {seconds:g} s ({what}); split it or "
                        "simplify it") from None
