"""YAML notes: a list of sessions, or a mapping with ``summit`` and ``sessions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from pydantic import ValidationError

from bot.corpus.errors import NoteError
from bot.corpus.limits import DEFAULT_LIMITS, ReadLimits, load_yaml
from bot.corpus.models import Session
from bot.corpus.passages import make_passages
from bot.corpus.schema import YamlSession, describe_error


def read_yaml(text: str, source: str, warn: Callable[[str], None] | None = None,
              limits: ReadLimits = DEFAULT_LIMITS) -> list[Session]:
    """Sessions of a YAML notes file; one with no notes is reported through ``warn``."""
    try:
        data: Any = load_yaml(text, limits)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise NoteError(f"it is not valid YAML{where}; check its indentation and quotes") from exc
    summit = None
    if isinstance(data, dict) and "sessions" in data:
        summit = data.get("summit")
        data = data["sessions"]
    elif isinstance(data, dict) and "title" in data:
        data = [data]
    if not isinstance(data, list) or not data:
        raise NoteError("a YAML notes file must hold a list of sessions, each with "
                        "'title' and 'notes'")
    sessions: list[Session] = []
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise NoteError(f"session {n} is not a mapping with 'title' and 'notes'")
        try:
            record = YamlSession.model_validate(item)
        except ValidationError as exc:
            raise NoteError(describe_error(exc, f"session {n}")) from exc
        passages = make_passages([(None, record.notes)])
        if not passages:
            if warn is not None:
                warn(f"session {n} (“{record.title}”) has no notes and was not indexed")
            continue
        sessions.append(Session(
            title=record.title, source=source, speakers=record.speakers,
            summit=record.summit or (str(summit) if summit else None), date=record.date,
            track=record.track, tags=record.tags, url=record.url, aliases=record.aliases,
            passages=passages,
        ))
    return sessions
