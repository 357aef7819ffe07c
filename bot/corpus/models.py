"""Plain data classes for what the readers produce and the index stores."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Passage:
    """A quotable piece of a session, sized for one chat message."""

    text: str
    heading: str | None = None  # the sub-heading it sits under, if any
    position: int = 0  # order within its session


@dataclass(slots=True, frozen=True)
class Slot:
    """Where a session sits in the official schedule: its time (ISO 8601 with the
    conference's UTC offset), room and the rest. Notes alone have none."""

    start: str | None = None
    end: str | None = None
    room: str | None = None
    timezone: str | None = None  # the conference's IANA zone
    uid: str | None = None  # the schedule's stable id
    kind: str | None = None  # the schedule's type: talk, workshop, keynote, ...
    language: str | None = None
    subtitle: str | None = None
    cancelled: bool = False
    service: bool = False  # a break, lunch or registration: never a notes answer

    @classmethod
    def of(cls, value: Slot | dict[str, object] | None) -> Slot | None:
        """A slot from itself or its JSON form (the reader cache and the index keep it so)."""
        if value is None or isinstance(value, Slot):
            return value
        return cls(**value)  # type: ignore[arg-type]


@dataclass(slots=True)
class Session:
    """One talk: its metadata and its passages."""

    title: str
    source: str  # path of the file it came from, relative to the corpus root
    speakers: list[str] = field(default_factory=list)
    summit: str | None = None
    date: str | None = None
    track: str | None = None
    tags: list[str] = field(default_factory=list)
    url: str | None = None
    aliases: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    slot: Slot | None = None  # its place in the official schedule, when one is indexed

    def fingerprint(self) -> str:
        """A stable digest of everything shown to users, to report what a reload changed."""
        import hashlib

        parts = [self.title, "|".join(self.speakers), self.summit or "", self.date or "",
                 self.track or "", "|".join(self.tags), self.url or "", "|".join(self.aliases)]
        if self.slot is not None:
            parts.append(repr(self.slot))
        for passage in self.passages:
            parts.append(passage.heading or "")
            parts.append(passage.text)
        digest = hashlib.sha256("\0".join(parts).encode())
        return digest.hexdigest()[:16]


@dataclass(slots=True)
class SkippedFile:
    """A file that could not be used, with a reason a person can act on."""

    path: str
    reason: str


@dataclass(slots=True)
class LoadReport:
    """What reading a corpus produced, for the index summary and the reload reply."""

    sessions: list[Session] = field(default_factory=list)
    files_read: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[SkippedFile] = field(default_factory=list)  # used, but with a caveat
    matched: int = 0  # notes sessions folded into the scheduled talk they are notes of

    @property
    def passage_count(self) -> int:
        return sum(len(s.passages) for s in self.sessions)
