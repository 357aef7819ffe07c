"""The metadata a note may carry, validated so that a bad file is named with a clear reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.corpus.text import one_line

SESSION_KEYS = ("title", "speakers", "summit", "date", "track", "tags", "url", "aliases")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = [p for p in (x.strip() for x in value.replace(";", ",").split(",")) if p]
        return parts
    if isinstance(value, dict):  # one speaker as {name: ..., company: ...}
        value = [value]
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            if isinstance(item, dict):  # {name: ..., affiliation: ...}
                item = item.get("name") or next(iter(item.values()), "")
            if not isinstance(item, str | int | float):
                raise ValueError("must be a list of names (strings)")
            if str(item).strip():
                out.append(one_line(str(item)))
        return out
    raise ValueError("must be a string or a list of strings")


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float):
        text = one_line(str(value))
        return text or None
    raise ValueError("must be a single value, not a list or mapping")


class SessionMeta(BaseModel):
    """Front matter of a Markdown note, or one entry of a YAML notes file."""

    model_config = ConfigDict(extra="allow")

    title: str | None = None
    # Talk lists in the wild say "speaker" or "presenters" as often as "speakers".
    speakers: list[str] = Field(default=[], validation_alias=AliasChoices(
        "speakers", "speaker", "presenters", "presenter"))
    summit: str | None = None
    date: str | None = None
    track: str | None = None
    tags: list[str] = []
    url: str | None = None
    aliases: list[str] = []

    @field_validator("speakers", "tags", "aliases", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> list[str]:
        return _as_list(value)

    @field_validator("title", "summit", "date", "track", "url", mode="before")
    @classmethod
    def _scalars(cls, value: Any) -> str | None:
        return _as_text(value)

    def has_session_fields(self) -> bool:
        return bool(self.speakers or self.track or self.tags or self.aliases or self.url)


class YamlSession(SessionMeta):
    """An entry of a YAML notes file: metadata plus the notes themselves."""

    # A conference site's talk list names a talk and says what it is about in its own
    # words ("name", "abstract", "description"); an entry with none of them has no notes.
    title: str = Field(validation_alias=AliasChoices("title", "name", "talk"))
    notes: str = Field(default="", validation_alias=AliasChoices(
        "notes", "abstract", "description", "summary", "body", "content"))

    @field_validator("notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(f"- {item}" for item in value)
        if not isinstance(value, str):
            raise ValueError("must be text (use a YAML block scalar: `notes: |`)")
        return value


def describe_error(error: ValidationError, where: str = "") -> str:
    """One sentence naming the bad key and what was expected."""
    first = error.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "value"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "is required"
    prefix = f"{where}: " if where else ""
    return f"{prefix}'{key}' {message}"
