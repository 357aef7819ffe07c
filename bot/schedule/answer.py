"""Answering a schedule question from the programme: when and where a talk is, who gives
it, a person's talks, and what is on now, next, at a time or on a day.

A talk is found from loose words the way notes answers are (rare words of its title and
speakers weigh most, its abstract less); a talk, person or room that is not in the schedule
gets a decline naming the closest matches, never a wrong time.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from rapidfuzz import fuzz, process, utils

from bot.schedule.programme import GENERIC, Named, Programme, Talk, compact, plain_tokens
from bot.schedule.question import ScheduleQuestion, When, day_offset, read_when
from bot.schedule.sources import BIOS_HEADING
from bot.schedule.timetext import clock_text
from bot.search.index import Index
from bot.search.tokenizer import tokenize

# A found talk is given as sure when its title and speakers (or abstract, for less) hold at
# least this share of the question's known words, weighted by rarity, and hedged down to
# HEDGE_COVERAGE; below that the question is declined (hand-set; see README).
CONFIDENT_COVERAGE = 0.55
HEDGE_COVERAGE = 0.25
# Lists stop here (a channel message, not a programme printout).
MAX_LISTED = 25
# "this afternoon" and the like, as local hours [from, to).
PARTS = {"morning": (6, 12), "afternoon": (12, 18), "evening": (17, 24)}
# A question that names a person by "X's talk" or "is X giving" must name a speaker of the
# talk it gets: otherwise it is about someone who is not in the schedule.
_POSSESSIVE = re.compile(
    r"\b([a-z][\w-]+(?:\s+[a-z][\w-]+)?)(?:'s|s'|')\s+(?:\w+\s+){0,3}?"
    r"(?:talk|session|keynote|workshop|presentation|lecture|panel)\b")
_GIVING = re.compile(r"\b(?:is|does|will)\s+([a-z][\w-]+\s+[a-z][\w-]+)\s+(?:giving|doing|"
                     r"speaking|presenting|talking|have)\b")
_NOT_NAMES = frozenset(["the", "this", "that", "what", "which", "there", "here", "it", "its",
                        "his", "her", "their", "my", "your", "our", "a", "an", "whats", "thing",
                        "one", "when", "where", "who", "how", "let", "today", "tomorrow",
                        "tonight", "year", "week", "next", "last", "is", "are", "was", "were",
                        "does", "did", "do", "will", "can", "could", "about", "for", "to",
                        "on", "in", "at", "by", "from", "of", "with", "and", "or"])


@dataclass(slots=True)
class ScheduleAnswer:
    """What a schedule question gets: the sessions it names, in the order it names them
    (time order for lists; the one asked about first), or a decline with the closest."""

    question: str
    kind: str  # when, where, who, speaker, now, next, at, day
    answered: bool
    now: datetime
    talks: list[Talk] = field(default_factory=list)
    alternatives: list[Talk] = field(default_factory=list)
    confident: bool = True
    abstract: str | None = None  # the first talk's abstract, quoted for when/where/who
    score: float = 0.0
    scope: str | None = None  # the room, track or person a list is of
    moment: datetime | None = None  # the time a now/at list is of
    empty: str | None = None  # why a list is empty / why declined, in one sentence
    nearest: list[str] = field(default_factory=list)  # names offered when declining
    command: bool = False  # from /now, /next, /schedule, /speaker (not a typed question)
    rehearsal: bool = False  # ``now`` is a rehearsal clock's, not the real time

    @property
    def hedged(self) -> bool:
        return self.answered and not self.confident

    def to_json(self) -> dict[str, Any]:
        """The ``ask --json`` shape (bot.answer.models.Answer's, with ``kind`` and
        ``sessions``)."""
        from bot.answer.models import session_json

        first = self.talks[0].record if self.answered and self.talks else None
        return {
            "question": self.question,
            "answered": self.answered,
            "confident": self.answered and self.confident,
            "kind": "schedule",
            "session": session_json(first) if first else None,
            "sessions": [session_json(t.record) for t in self.talks] if self.answered else [],
            "passage": self.abstract if self.answered else None,
            "score": round(self.score, 4) if self.answered else 0.0,
            "confidence": round(self.score, 4) if self.answered else 0.0,
            "alternatives": [{"session": session_json(t.record), "passage": None,
                              "score": 0.0} for t in self.alternatives],
            "schedule_kind": self.kind,
        }


@dataclass(slots=True)
class _Scope:
    talks: list[int]  # positions in the programme
    room: Named | None = None
    track: Named | None = None
    people: list[Named] = field(default_factory=list)
    conference: str | None = None


_Found = TypeVar("_Found", tuple[Named, tuple[int, int]], tuple[list[Named], tuple[int, int]])


class ScheduleAnswerer:
    """Answers schedule questions over one programme."""

    def __init__(self, programme: Programme, abstracts: dict[int, str]):
        self.programme = programme
        self.abstracts = abstracts  # session id -> its abstract's first passage
        self._conference_words = self._conference_names()

    def _conference_names(self) -> dict[str, set[str]]:
        """Words that name one conference ("fosdem", "droidcon", "rc3")."""
        owners: dict[str, set[str]] = {}
        for name in self.programme.conferences:
            for word in plain_tokens(name):
                if len(word) >= 3 and not word.isdigit():
                    owners.setdefault(compact(word), set()).add(name)
        return owners

    def answer(self, question: ScheduleQuestion, now: datetime) -> ScheduleAnswer | None:
        """The answer, or None when the question turns out not to be about the schedule
        (it names no talk, person, room or time the programme knows)."""
        programme = self.programme
        scope = self._scope(question)
        kind = question.kind
        if kind == "speaker":
            if not scope.people:
                return None
            return self._person(question, scope, now)
        if kind in ("when", "where", "who"):
            return self._talk(question, scope, now)
        if kind == "topic":
            return self._topic(question, scope, now)
        if kind == "next":
            return self._next(question, scope, now)
        if kind in ("now", "at"):
            moment = now if kind == "now" and question.when.clock is None else \
                self._moment(question.when, scope, now)
            if moment is None:
                return None
            running = [programme.talks[n] for n in scope.talks
                       if programme.talks[n].runs_at(moment) and not
                       programme.talks[n].cancelled]
            return self._listing(question, scope, now, running, moment)
        if kind == "day":
            day = self._day(question.when, scope, now)
            talks = [programme.talks[n] for n in scope.talks]
            if day is not None:
                talks = [t for t in talks if t.local(t.start).date() == day]
            if question.when.part:
                low, high = PARTS[question.when.part]
                talks = [t for t in talks if low <= t.local(t.start).hour < high]
            if day is None and not (scope.room or scope.track or scope.people):
                return None
            return self._listing(question, scope, now, talks, None)
        return None

    def command(self, kind: str, words: str, now: datetime) -> ScheduleAnswer:
        """``/schedule`` ("day"), ``/now``, ``/next``, ``/speaker``: the words only name a
        day, room, track or person, so the kind is given, not read."""
        lowered = " ".join(words.casefold().split())
        when, rest = read_when(lowered)
        question = ScheduleQuestion(kind=kind, text=words.strip(),
                                    tokens=[compact(t) for t in plain_tokens(lowered)],
                                    words=rest, when=when)
        if kind == "day" and not when.has_day:
            # no day named: today during the conference, else its first day (or, for a
            # room or track, all its days)
            name = self._conference_of(self._scope(question), now)
            conference = self.programme.conferences.get(name or "")
            if conference is not None and conference.spans(now, slack=timedelta(0)):
                question.when.relative_day = 0
            elif conference is not None and conference.days and not lowered:
                question.when.iso = conference.days[0]
        if kind == "speaker":
            # a name typed as a name: near enough to one speaker's whole name (a typo is
            # forgiven; "Ada Lovelace" is not "Ada Quill")
            people = {p.name: p for p in self.programme.people.values()}
            best = process.extractOne(words, list(people), scorer=fuzz.token_sort_ratio,
                                      processor=utils.default_process, score_cutoff=85)
            if best is not None:
                scope = _Scope(list(range(len(self.programme.talks))),
                               people=[people[best[0]]])
                listed = self._person(question, scope, now)
                listed.command = True
                return listed
        found = None if kind == "speaker" else self.answer(question, now)
        if found is not None:
            found.command = True
            return found
        if kind == "speaker":
            close = process.extract(words, [p.name for p in self.programme.people.values()],
                                    scorer=fuzz.WRatio, processor=utils.default_process,
                                    limit=3, score_cutoff=55)
            return ScheduleAnswer(question=words, kind=kind, answered=False, now=now,
                                  confident=False, nearest=[c for c, _, _ in close],
                                  empty=f"No speaker called “{words.strip()}” is in the "
                                        "schedule.")
        return ScheduleAnswer(question=words, kind=kind, answered=False, now=now,
                              confident=False,
                              empty=f"I don't know “{words.strip()}” as a day, room or track "
                                    "of the schedule.")

    def suggest(self, source: str, current: str, limit: int) -> list[str]:
        """Names of rooms, tracks, both ("places"), speakers, or days for autocomplete."""
        programme = self.programme
        if source == "days":
            names = [f"{day.isoformat()} {day:%a}" for conference in
                     programme.conferences.values() for day in conference.days]
            names = list(dict.fromkeys(names))
        else:
            pools = {"rooms": [programme.rooms], "tracks": [programme.tracks],
                     "places": [programme.rooms, programme.tracks],
                     "speakers": [programme.people]}.get(source, [])
            names = list(dict.fromkeys(item.name for pool in pools for item in pool.values()))
        current = current.strip()
        if not current:
            return sorted(names, key=str.casefold)[:limit]
        found = process.extract(current, names, scorer=fuzz.WRatio,
                                processor=utils.default_process, limit=limit,
                                score_cutoff=50)
        return [name for name, _, _ in found]

    # --- what the question names -------------------------------------------------------------
    def _scope(self, question: ScheduleQuestion) -> _Scope:
        programme = self.programme
        tokens = question.tokens
        conferences = {name for token in tokens
                       for name in self._conference_words.get(token, ())}
        everything = list(range(len(programme.talks)))
        scope = _Scope(everything)
        if len(conferences) == 1:
            scope.conference = next(iter(conferences))
        room = self._not_the_conference(programme.find_room(tokens), tokens)
        track = self._not_the_conference(programme.find_track(tokens), tokens)
        people = self._not_the_conference(programme.find_people(tokens), tokens)
        if people:
            scope.people = people[0]
        if room and track and room[1] != track[1]:
            # both named: keep the one the question spells longer
            if room[1][1] - room[1][0] >= track[1][1] - track[1][0]:
                track = None
            else:
                room = None
        scope.room = room[0] if room else None
        scope.track = track[0] if track and not room else None
        if scope.conference:
            scope.talks = [n for n in scope.talks
                           if programme.talks[n].summit == scope.conference]
        if question.kind in ("now", "next", "at", "day"):
            place = scope.room or scope.track
            if place is not None:
                inside = set(place.talks)
                scope.talks = [n for n in scope.talks if n in inside]
        return scope

    def _not_the_conference(self, found: _Found | None, tokens: Sequence[str]
                            ) -> _Found | None:
        """A room, track or person found by one word that names a conference is the
        conference: "what's on at fosdem" is not about the speaker "FOSDEM Staff"."""
        if found is None:
            return None
        named, (start, end) = found
        word = tokens[start]
        names = named if isinstance(named, list) else [named]
        if end - start == 1 and word in self._conference_words and \
                all(compact(n.name) != word for n in names):
            return None
        return found

    def _conference_of(self, scope: _Scope, now: datetime) -> str | None:
        """The conference the question is about: named, or the only one its room, track
        or talks belong to, or the one on now, or the only one indexed."""
        if scope.conference:
            return scope.conference
        programme = self.programme
        names = {programme.talks[n].summit or "" for n in scope.talks[:2000]}
        if len(names) == 1:
            return next(iter(names))
        running = [c.name for c in programme.conferences.values() if c.spans(now)]
        if len(running) == 1:
            return running[0]
        return None

    def _day(self, when: When, scope: _Scope, now: datetime) -> date | None:
        """The local date the question names, read against the conference's days: when the
        clock is outside them, "day 2", weekdays and "the 28th" mean the conference's."""
        name = self._conference_of(scope, now)
        conference = self.programme.conferences.get(name or "")
        days = conference.days if conference else sorted(
            {d for c in self.programme.conferences.values() for d in c.days})
        zone = conference.zone if conference else None
        today = (now.astimezone(zone) if zone else now).date()
        if when.iso:
            return when.iso
        if when.month and when.day_of_month:
            year = days[0].year if days else today.year
            try:
                return date(year, when.month, when.day_of_month)
            except ValueError:
                return None
        if when.day_of_month:
            for day in days:
                if day.day == when.day_of_month:
                    return day
            try:
                return today.replace(day=when.day_of_month)
            except ValueError:
                return None
        if when.day_number is not None:
            return day_offset(days, when.day_number)
        if when.weekday is not None:
            matching = [d for d in days if d.weekday() == when.weekday]
            upcoming = [d for d in matching if d >= today]
            if upcoming:
                return upcoming[0]
            if matching:
                return matching[0]
            return today + timedelta(days=(when.weekday - today.weekday()) % 7)
        if when.relative_day is not None:
            return today + timedelta(days=when.relative_day)
        return None

    def _moment(self, when: When, scope: _Scope, now: datetime) -> datetime | None:
        """The instant a now/at question is about, in the conference's zone."""
        name = self._conference_of(scope, now)
        conference = self.programme.conferences.get(name or "")
        zone = conference.zone if conference else None
        local_now = now.astimezone(zone) if zone else now
        day = self._day(when, scope, now)
        if day is None:
            day = local_now.date()
            if conference and conference.days and not conference.spans(now):
                day = conference.days[0]
        clock = when.clock
        if clock is None:
            if when.part:
                clock = time(PARTS[when.part][0] + 2, 0)
            elif day == local_now.date():
                return now
            else:
                return None
        return datetime.combine(day, clock, zone or local_now.tzinfo)

    # --- a talk ------------------------------------------------------------------------------
    def _find(self, question: ScheduleQuestion, scope: _Scope, now: datetime
              ) -> tuple[list[tuple[int, float]], float]:
        """Talks for the question's words, best first, and the most a talk could score."""
        programme = self.programme
        words = question.words
        terms = [t for t in tokenize(words) if t not in GENERIC]
        among: Sequence[int] = scope.talks
        found = programme.search(terms, among)
        if scope.people:
            theirs = {n for person in scope.people for n in person.talks}
            found = [(n, s * (1.5 if n in theirs else 1.0)) for n, s in found]
            have, allowed = {n for n, _ in found}, set(among)
            found += [(n, 0.0) for n in sorted(theirs) if n not in have and n in allowed]
        day = self._day(question.when, scope, now) if question.when.has_day else None
        if day is not None:
            found = [(n, s * (1.25 if programme.talks[n].local(programme.talks[n].start
                                                               ).date() == day else 1.0))
                     for n, s in found]
        found.sort(key=lambda kv: (-kv[1], programme.talks[kv[0]].start))
        known = programme.query_weight(terms)
        unknown = [t for t in dict.fromkeys(terms) if not programme.knows(t)
                   and len(t) > 2 and not t.isdigit()]
        ceiling = known + 0.5 * programme.rarest_weight() * len(unknown)
        if scope.people:
            ceiling = max(ceiling, 1e-9)
        return found, ceiling

    def _talk(self, question: ScheduleQuestion, scope: _Scope, now: datetime
              ) -> ScheduleAnswer | None:
        programme = self.programme
        found, ceiling = self._find(question, scope, now)
        if not found or (found[0][1] <= 0 and not scope.people):
            return None if question.kind == "who" else self._decline(
                question, now, found, "That talk is not in the schedule.")
        best, score = found[0]
        talk = programme.talks[best]
        coverage = score / ceiling if ceiling > 0 else (1.0 if scope.people else 0.0)
        if scope.people and best in {n for p in scope.people for n in p.talks}:
            coverage = max(coverage, 0.6)
        named = _person_asked(question.text.casefold())
        if named and not _names_in(named, talk):
            return self._decline(question, now, found,
                                 f"{named.title()} is not in the schedule.")
        if coverage < HEDGE_COVERAGE:
            if question.kind == "who":
                return None  # "who said …" about the notes, perhaps
            return self._decline(question, now, found, "That talk is not in the schedule.")
        # a title repeated (a recurring workshop): the next one to come, else the first
        same = [n for n, _ in found if programme.talks[n].title == talk.title]
        upcoming = [n for n in sorted(same, key=lambda n: programme.talks[n].start)
                    if programme.talks[n].finish > now]
        if len(same) > 1 and upcoming:
            talk = programme.talks[upcoming[0]]
        second = next((s for n, s in found if programme.talks[n].title != talk.title), 0.0)
        whole_title = programme.title_held(best, tokenize(question.words))
        confident = coverage >= CONFIDENT_COVERAGE and (second < 0.85 * score or whole_title)
        alternatives = [programme.talks[n] for n, s in found[1:4]
                        if programme.talks[n].title != talk.title and s >= 0.5 * score][:2]
        return ScheduleAnswer(
            question=question.text, kind=question.kind, answered=True, now=now, talks=[talk],
            alternatives=alternatives, confident=confident,
            abstract=self.abstracts.get(talk.record.id), score=min(1.0, coverage))

    def _topic(self, question: ScheduleQuestion, scope: _Scope, now: datetime
               ) -> ScheduleAnswer | None:
        """"Is there a talk about postgres today?": the talks on it, in time order."""
        programme = self.programme
        found, ceiling = self._find(question, scope, now)
        if not found or ceiling <= 0 or found[0][1] / ceiling < HEDGE_COVERAGE:
            return None  # perhaps the notes know
        best = found[0][1]
        day = self._day(question.when, scope, now) if question.when.has_day else None
        talks = [programme.talks[n] for n, s in found if s >= 0.5 * best]
        if day is not None:
            talks = [t for t in talks if t.local(t.start).date() == day]
        return self._listing(question, scope, now, talks, None)

    def _decline(self, question: ScheduleQuestion, now: datetime,
                 found: list[tuple[int, float]], why: str) -> ScheduleAnswer:
        close = [self.programme.talks[n] for n, s in found[:3] if s > 0]
        return ScheduleAnswer(question=question.text, kind=question.kind, answered=False,
                              now=now, alternatives=close, confident=False, empty=why,
                              nearest=[t.title for t in close])

    def _person(self, question: ScheduleQuestion, scope: _Scope, now: datetime
                ) -> ScheduleAnswer:
        programme = self.programme
        allowed = set(scope.talks)
        positions = sorted({n for person in scope.people for n in person.talks
                            if n in allowed},
                           key=lambda n: programme.talks[n].start)
        talks = [programme.talks[n] for n in positions]
        names = " and ".join(p.name for p in scope.people)
        return ScheduleAnswer(question=question.text, kind="speaker", answered=bool(talks),
                              now=now, talks=talks[:MAX_LISTED], scope=names, score=1.0,
                              empty=None if talks else f"{names} gives no talk in the "
                              "schedule.")

    def _next(self, question: ScheduleQuestion, scope: _Scope, now: datetime
              ) -> ScheduleAnswer | None:
        programme = self.programme
        reference = now
        pool = scope.talks
        if question.when.has_day or question.when.clock:
            moment = self._moment(question.when, scope, now)
            if moment is not None:
                reference = moment
        if question.after:
            # "after the ooni talk": the talk named sets the room and the moment
            found, ceiling = self._find(question, scope, now)
            if found and ceiling and found[0][1] / ceiling >= CONFIDENT_COVERAGE:
                anchor = programme.talks[found[0][0]]
                if scope.room is None and scope.track is None and anchor.room:
                    scope.room = programme.rooms.get(compact(anchor.room))
                    pool = list(scope.room.talks) if scope.room else pool
                if anchor.start > reference or anchor.runs_at(reference):
                    reference = anchor.start
        later = [programme.talks[n] for n in pool if programme.talks[n].start > reference
                 and not programme.talks[n].cancelled]
        if not (scope.room or scope.track):
            later = [t for t in later if not t.service]
        later.sort(key=lambda t: t.start)
        if later and not (scope.room or scope.track):
            first = later[0].start
            later = [t for t in later if t.start == first]
        else:
            later = later[:1]
        return self._listing(question, scope, now, later, reference, empty_next=True)

    def _listing(self, question: ScheduleQuestion, scope: _Scope, now: datetime,
                 talks: Iterable[Talk], moment: datetime | None,
                 empty_next: bool = False) -> ScheduleAnswer:
        shown = sorted(talks, key=lambda t: (t.start, t.room or ""))
        where = (scope.room.name if scope.room else scope.track.name if scope.track
                 else ", ".join(p.name for p in scope.people) or scope.conference)
        empty = None
        if not shown:
            place = f" in {where}" if where else ""
            if empty_next:
                empty = f"Nothing else is scheduled{place} after that."
            elif moment is not None:
                later = [programme_talk for n in scope.talks
                         if (programme_talk := self.programme.talks[n]).start > moment
                         and not programme_talk.cancelled]
                at = "now" if moment == now else "then"
                empty = f"Nothing is on{place} {at}."
                if later and (scope.room or scope.track):
                    first = min(later, key=lambda t: t.start)
                    empty += f" Next{place}: {first.title}, {clock_text(first.local(first.start))}."
            else:
                empty = f"Nothing is scheduled{place} then."
        return ScheduleAnswer(question=question.text, kind=question.kind,
                              answered=bool(shown), now=now, talks=shown[:MAX_LISTED],
                              scope=where, moment=moment, score=1.0, empty=empty)


def _person_asked(text: str) -> str | None:
    """The person a question names as a talk's owner ("linus torvalds' talk", "is frank
    rieger giving a talk"), if any."""
    text = text.replace("’", "'")
    for pattern in (_POSSESSIVE, _GIVING):
        for found in pattern.finditer(text):
            words = [w for w in found[1].split() if w not in _NOT_NAMES]
            if words and not any(w in GENERIC_WORDS for w in words):
                return " ".join(words)
    return None


GENERIC_WORDS = frozenset(["talk", "session", "keynote", "workshop", "the", "a", "an"])


def _names_in(name: str, talk: Talk) -> bool:
    """Whether every word of a person's name is in the talk's speakers or title."""
    have = {compact(w) for w in plain_tokens(" ".join([talk.title, *talk.record.speakers]))}
    return all(compact(w) in have for w in plain_tokens(name))


async def schedule_answerer(index: Index) -> ScheduleAnswerer | None:
    """The schedule answerer of an index, or None when it holds no scheduled session. The
    programme is built off the event loop (it tokenizes every abstract)."""
    scheduled = [s.id for s in index.sessions if s.slot is not None and s.slot.start]
    if not scheduled:
        return None
    abstracts = await index.opening_passages(scheduled, skip_heading=BIOS_HEADING)

    def build() -> ScheduleAnswerer:
        return ScheduleAnswerer(Programme.of(index.sessions, abstracts), abstracts)

    return await asyncio.to_thread(build)
