"""Selecting talks from the programme by day, room, track, speaker and conference, for
``summit-bot schedule`` (the chat commands read words instead: answer.py)."""

from __future__ import annotations

from datetime import date, timedelta

from rapidfuzz import fuzz, process, utils

from bot.schedule.programme import Named, Programme, Talk, compact


class ListingError(Exception):
    """A filter that matches nothing known; the message says what there is instead."""


def _named(pool: dict[str, Named], wanted: str, what: str) -> Named:
    key = compact(wanted)
    if key in pool:
        return pool[key]
    names = {item.name: item for item in pool.values()}
    found = process.extract(wanted, list(names), scorer=fuzz.WRatio,
                            processor=utils.default_process, limit=3, score_cutoff=60)
    if found and found[0][1] >= 90:
        return names[found[0][0]]
    hint = f"; did you mean {', '.join(n for n, _, _ in found)}?" if found else ""
    raise ListingError(f"no {what} called “{wanted}” is in the schedule{hint}")


def select_talks(programme: Programme, *, day: str | None = None, room: str | None = None,
                 track: str | None = None, speaker: str | None = None,
                 summit: str | None = None) -> dict[str, list[Talk]]:
    """The talks that pass every filter, in time order, by conference."""
    conferences = list(programme.conferences)
    if summit is not None:
        chosen = _named({compact(c): Named(c, []) for c in conferences}, summit, "conference")
        conferences = [chosen.name]
    keep: set[int] | None = None
    for wanted, pool, what in ((room, programme.rooms, "room"),
                               (track, programme.tracks, "track"),
                               (speaker, programme.people, "speaker")):
        if wanted is not None:
            ids = set(_named(pool, wanted, what).talks)
            keep = ids if keep is None else keep & ids
    groups: dict[str, list[Talk]] = {}
    for name in conferences:
        conference = programme.conferences[name]
        wanted_day = _day(day, conference.days) if day is not None else None
        talks = [t for n, t in enumerate(programme.talks)
                 if (t.summit or "") == name and (keep is None or n in keep)
                 and (wanted_day is None or t.local(t.start).date() == wanted_day)]
        if talks or len(conferences) == 1:
            groups[name or "(no conference name)"] = talks
    return groups


def _day(text: str, days: list[date]) -> date:
    text = text.strip()
    if text.isdigit() and len(text) <= 2:
        if not days:
            raise ListingError("the schedule has no days")
        number = int(text)
        if not 1 <= number <= (days[-1] - days[0]).days + 1:
            raise ListingError(f"the conference has days 1 to "
                               f"{(days[-1] - days[0]).days + 1}; give one of them or a date")
        return days[0] + timedelta(days=number - 1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ListingError(f"--day takes a date such as 2024-12-28 or a day number such as "
                           f"2, not “{text}”") from None
