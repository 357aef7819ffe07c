"""The programme: every scheduled session of the index with its instants, rooms, tracks and
speakers, and a small ranked search over titles, speakers and abstracts.

Built once per index (off the event loop) and read by every schedule question; nothing in
it is platform-specific.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.search.index import SessionRecord
from bot.search.tokenizer import STOPWORDS, tokenize

# A talk with no end (Sessionize's null endsAt, an iCalendar event without DTEND) is taken
# to last this long when asking what is on at a moment.
DEFAULT_LENGTH = timedelta(minutes=30)
# A word of a talk's title or speakers counts this much more than one of its abstract.
NAME_FIELD = 1.0
BODY_FIELD = 0.3
# How much a talk's score depends on the share of its title the question holds.
TITLE_FIT = 0.2
# Words that say "a talk" rather than which talk.
GENERIC = frozenset(tokenize(
    "talk talks session sessions thing one presentation lecture slot event panel "
    "conference summit track room stage stream channel year day today tomorrow tonight "
    "morning afternoon evening pls please anyone anybody someone guy guys person people "
    "speaker speakers speaking giving gives doing presenting hosting running start starts "
    "starting begin begins time watch go see attend catch happening going"))


def compact(text: str) -> str:
    """Letters and digits only, case-folded: "K.1.105" and "k1105", "Chaos-West TV" and
    "chaos west tv" meet."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if c.isalnum())


_TOKENS = re.compile(r"[^\W_]+", re.UNICODE)


def plain_tokens(text: str) -> list[str]:
    """Case-folded letter-and-digit runs, unstemmed (for names of rooms, tracks, people)."""
    return _TOKENS.findall(unicodedata.normalize("NFKC", text.casefold()))


@dataclass(frozen=True, slots=True)
class Talk:
    """A scheduled session with its instants parsed (aware, in the conference's zone)."""

    record: SessionRecord
    start: datetime
    end: datetime | None
    zone: tzinfo  # the conference's zone, else the fixed offset its times were given in

    @property
    def finish(self) -> datetime:
        """When it ends, or is taken to end."""
        return self.end if self.end and self.end > self.start else self.start + DEFAULT_LENGTH

    @property
    def title(self) -> str:
        return self.record.title

    @property
    def room(self) -> str | None:
        return self.record.slot.room if self.record.slot else None

    @property
    def track(self) -> str | None:
        return self.record.track

    @property
    def summit(self) -> str | None:
        return self.record.summit

    @property
    def cancelled(self) -> bool:
        return bool(self.record.slot and self.record.slot.cancelled)

    @property
    def service(self) -> bool:
        return bool(self.record.slot and self.record.slot.service)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def runs_at(self, moment: datetime) -> bool:
        return self.start <= moment < self.finish


@dataclass(slots=True)
class Conference:
    name: str
    zone: tzinfo | None
    days: list[date] = field(default_factory=list)  # local dates with sessions, in order

    def spans(self, moment: datetime, slack: timedelta = timedelta(hours=12)) -> bool:
        """Whether the moment falls within the conference's days (with some slack)."""
        if not self.days:
            return False
        local = moment.astimezone(self.zone) if self.zone else moment
        first = datetime.combine(self.days[0], datetime.min.time(), local.tzinfo)
        last = datetime.combine(self.days[-1], datetime.max.time(), local.tzinfo)
        return first - slack <= local <= last + slack


@dataclass(slots=True)
class Named:
    """A room, track or person the question names, with the talks that have it."""

    name: str
    talks: list[int]  # positions in Programme.talks


class Programme:
    """Every scheduled session, in time order, and ways to find them."""

    def __init__(self, talks: list[Talk], abstracts: dict[int, str]):
        self.talks = sorted(talks, key=lambda t: (t.start, t.room or "", t.title))
        self.conferences: dict[str, Conference] = {}
        self.rooms: dict[str, Named] = {}
        self.tracks: dict[str, Named] = {}
        self.people: dict[str, Named] = {}
        for n, talk in enumerate(self.talks):
            name = talk.summit or ""
            conference = self.conferences.setdefault(name, Conference(name, talk.zone))
            day = talk.local(talk.start).date()
            if day not in conference.days:
                conference.days.append(day)
            if talk.room:
                self.rooms.setdefault(compact(talk.room), Named(talk.room, [])).talks.append(n)
            if talk.track:
                self.tracks.setdefault(compact(talk.track), Named(talk.track, [])
                                       ).talks.append(n)
            for person in talk.record.speakers:
                self.people.setdefault(compact(person), Named(person, [])).talks.append(n)
        for conference in self.conferences.values():
            conference.days.sort()
        self._name_terms: list[set[str]] = []
        self._title_terms: list[set[str]] = [set(tokenize(t.title)) - GENERIC
                                             for t in self.talks]
        self._body_terms: list[set[str]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for n, talk in enumerate(self.talks):
            slot = talk.record.slot
            name = " ".join([talk.title, slot.subtitle or "" if slot else "",
                             *talk.record.speakers])
            name_terms = set(tokenize(name))
            body_terms = set(tokenize(" ".join([abstracts.get(talk.record.id, ""),
                                                talk.track or "", *talk.record.tags])))
            self._name_terms.append(name_terms)
            self._body_terms.append(body_terms)
            for term in name_terms | body_terms:
                postings[term].append(n)
        self._postings = dict(postings)
        count = max(1, len(self.talks))
        self._idf = {term: math.log(1 + (count - len(ids) + 0.5) / (len(ids) + 0.5))
                     for term, ids in postings.items()}
        self._rarest = max(self._idf.values(), default=1.0)
        self._room_words = _distinctive_words(self.rooms)
        self._track_words = _distinctive_words(self.tracks)
        self._surnames = _name_parts(self.people)

    @classmethod
    def of(cls, sessions: Sequence[SessionRecord], abstracts: dict[int, str]) -> Programme:
        """The programme of an index's sessions (those with a start time)."""
        zones: dict[str, ZoneInfo | None] = {}
        talks = []
        for record in sessions:
            slot = record.slot
            if slot is None or not slot.start:
                continue
            try:
                start = datetime.fromisoformat(slot.start)
                end = datetime.fromisoformat(slot.end) if slot.end else None
            except ValueError:
                continue
            if start.tzinfo is None:
                continue
            zone_name = slot.timezone or ""
            if zone_name not in zones:
                try:
                    zones[zone_name] = ZoneInfo(zone_name) if zone_name else None
                except (ZoneInfoNotFoundError, ValueError):
                    zones[zone_name] = None
            # an export with offsets but no zone name: its times' own offset
            talks.append(Talk(record, start, end, zones[zone_name] or start.tzinfo))
        return cls(talks, abstracts)

    def __bool__(self) -> bool:
        return bool(self.talks)

    def __len__(self) -> int:
        return len(self.talks)

    # --- names in a question --------------------------------------------------------------
    def find_room(self, tokens: Sequence[str]) -> tuple[Named, tuple[int, int]] | None:
        return _find_named(tokens, self.rooms, self._room_words)

    def find_track(self, tokens: Sequence[str]) -> tuple[Named, tuple[int, int]] | None:
        return _find_named(tokens, self.tracks, self._track_words)

    def find_people(self, tokens: Sequence[str]) -> tuple[list[Named], tuple[int, int]] | None:
        """Speakers named in the question: a full name ("donnie berkholz"), or a first or
        last name that only one speaker has ("lennart's")."""
        best: tuple[list[Named], tuple[int, int]] | None = None
        for size in (4, 3, 2):
            for i in range(len(tokens) - size + 1):
                key = "".join(tokens[i:i + size])
                if key in self.people:
                    return [self.people[key]], (i, i + size)
        for i, token in enumerate(tokens):
            owners = self._surnames.get(token)
            if owners and len(owners) <= 2 and best is None:
                best = ([self.people[o] for o in owners], (i, i + 1))
        return best

    # --- ranked search ---------------------------------------------------------------------
    def idf(self, term: str) -> float:
        return self._idf.get(term, 0.0)

    def rarest_weight(self) -> float:
        """The weight of the rarest word: what a word no talk has would have weighed."""
        return self._rarest

    def knows(self, term: str) -> bool:
        return term in self._postings

    def search(self, terms: Iterable[str], among: Iterable[int] | None = None
               ) -> list[tuple[int, float]]:
        """Talks by how much of the query their title, speakers (heavier) and abstract hold;
        best first."""
        wanted = [t for t in dict.fromkeys(terms) if t in self._postings and t not in GENERIC]
        allowed = set(among) if among is not None else None
        scores: dict[int, float] = defaultdict(float)
        for term in wanted:
            weight = self._idf[term]
            for n in self._postings[term]:
                if allowed is not None and n not in allowed:
                    continue
                field_weight = NAME_FIELD if term in self._name_terms[n] else BODY_FIELD
                scores[n] += weight * field_weight
        asked = set(wanted)
        for n, score in scores.items():
            # of two titles that hold the question's words, the one that holds little else
            # is the one named: "Firefox OS" before "Automating Firefox OS"
            title = self._title_terms[n]
            if title:
                held = sum(self._idf.get(t, 0.0) for t in title & asked)
                whole = sum(self._idf.get(t, 0.0) for t in title) or 1.0
                scores[n] = score * (1 - TITLE_FIT + TITLE_FIT * held / whole)
        return sorted(scores.items(), key=lambda kv: (-kv[1], self.talks[kv[0]].start))

    def title_held(self, n: int, terms: Iterable[str]) -> bool:
        """Whether the question holds every word of the talk's title."""
        title = self._title_terms[n]
        return bool(title) and title <= set(terms)

    def query_weight(self, terms: Iterable[str]) -> float:
        """The most a talk could score for these terms (all in its title)."""
        return sum(self._idf[t] * NAME_FIELD for t in dict.fromkeys(terms)
                   if t in self._postings and t not in GENERIC)

    def name_terms(self, n: int) -> set[str]:
        return self._name_terms[n]


def _distinctive_words(named: dict[str, Named]) -> dict[str, str]:
    """A word of one room's (track's) name that no other has, and is not generic: "lichtung"
    -> Lichtung, "chaosstudio" -> Chaosstudio Hamburg."""
    owners: dict[str, set[str]] = defaultdict(set)
    for key, item in named.items():
        for word in plain_tokens(item.name):
            if len(word) >= 4 and not word.isdigit() and word not in _ROOM_GENERIC \
                    and word not in STOPWORDS:
                owners[word].add(key)
    return {word: next(iter(keys)) for word, keys in owners.items() if len(keys) == 1}


_ROOM_GENERIC = frozenset(
    ["room", "rooms", "hall", "stage", "stream", "track", "devroom", "main", "the", "and", "for",
     "with", "tv", "channel", "live", "saal", "area", "space", "talks", "talk", "session",
     "sessions", "open", "source", "free", "software"])


def _find_named(tokens: Sequence[str], named: dict[str, Named], words: dict[str, str]
                ) -> tuple[Named, tuple[int, int]] | None:
    """The longest run of question tokens that spells a name, else a distinctive word."""
    for size in (5, 4, 3, 2, 1):
        for i in range(len(tokens) - size + 1):
            key = "".join(tokens[i:i + size])
            if len(key) >= 2 and key in named and not (size == 1 and key.isdigit()):
                return named[key], (i, i + size)
    for i, token in enumerate(tokens):
        if token in words:
            return named[words[token]], (i, i + 1)
    return None


def _name_parts(people: dict[str, Named]) -> dict[str, list[str]]:
    """First and last names -> the speakers (compact keys) who have them."""
    parts: dict[str, list[str]] = defaultdict(list)
    for key, item in people.items():
        words = plain_tokens(item.name)
        if len(words) < 2:
            continue
        for word in (words[0], words[-1]):
            if len(word) >= 3 and key not in parts[word]:
                parts[word].append(key)
    return dict(parts)
