"""What changed in the schedule between the index that was serving and a new one, by each
event's stable id: new, cancelled, moved (time or room) and renamed sessions.

Told to admins in the reload report, the log and ``summit-bot index``; later, to people
who asked to be reminded of a talk that moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.corpus.models import Slot


class _Scheduled(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def summit(self) -> str | None: ...

    @property
    def slot(self) -> Slot | None: ...


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    kind: str  # new, cancelled, reinstated, moved, renamed, removed
    title: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}" + (f" ({self.detail})" if self.detail else "")


def _key(item: _Scheduled) -> tuple[str, str] | None:
    slot = item.slot
    if slot is None or not slot.uid:
        return None
    return (item.summit or "", slot.uid)


def _when(iso: str | None) -> str:
    if not iso:
        return "no time"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"


def diff_schedules(before: Iterable[_Scheduled], after: Iterable[_Scheduled]
                   ) -> list[ScheduleChange]:
    """The changes, new ones first, then cancelled, reinstated, moved, renamed, removed."""
    old = {k: s for s in before if (k := _key(s)) is not None}
    new = {k: s for s in after if (k := _key(s)) is not None}
    changes: list[ScheduleChange] = []
    if not old:  # a first schedule is not news
        return changes
    for key, item in new.items():
        slot = item.slot
        assert slot is not None
        was = old.get(key)
        if was is None:
            changes.append(ScheduleChange("new", item.title,
                                          f"{_when(slot.start)}, {slot.room or 'no room'}"))
            continue
        before_slot = was.slot
        assert before_slot is not None
        if slot.cancelled and not before_slot.cancelled:
            changes.append(ScheduleChange("cancelled", item.title))
            continue
        if before_slot.cancelled and not slot.cancelled:
            changes.append(ScheduleChange("reinstated", item.title,
                                          f"{_when(slot.start)}, {slot.room or 'no room'}"))
        moves = []
        if slot.start != before_slot.start:
            moves.append(f"{_when(before_slot.start)} → {_when(slot.start)}")
        if (slot.room or "") != (before_slot.room or ""):
            moves.append(f"{before_slot.room or 'no room'} → {slot.room or 'no room'}")
        if moves:
            changes.append(ScheduleChange("moved", item.title, "; ".join(moves)))
        if item.title != was.title:
            changes.append(ScheduleChange("renamed", item.title, f"was “{was.title}”"))
    for key, item in old.items():
        if key not in new:
            changes.append(ScheduleChange("removed", item.title))
    order = {"new": 0, "cancelled": 1, "reinstated": 2, "moved": 3, "renamed": 4,
             "removed": 5}
    changes.sort(key=lambda c: order[c.kind])
    return changes
