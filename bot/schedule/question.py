"""Telling a schedule question ("when is the ceph talk?", "what's on in janson now?") from a
notes question, and reading what it asks: the kind, a day or a time, a room, a track, a
person, and the words left to find a talk by.

Only words decide here; what the words name (which room, which talk) is looked up in the
programme by the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from bot.schedule.programme import compact, plain_tokens

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
MONTHS = {name: n for n, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
    ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
    ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")), start=1) for name in names}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "one": 1, "two": 2,
            "three": 3, "four": 4, "five": 5}

_NOW = re.compile(r"\b(now|rn|atm|right now|at the moment|currently|at this moment|"
                  r"as we speak|happening|going on|live)\b")
_NEXT = re.compile(r"\b(next|up next|coming up|after (?:this|that|the|it)|afterwards|"
                   r"later on|starting soon)\b")
_WHEN = re.compile(r"\b(when|what time|which time|what day|which day|starts?|starting|"
                   r"begins?|how long|is (?:it|that|the .+) (?:today|tomorrow|on))\b")
_WHERE = re.compile(r"\b(where|which room|what room|which stage|what stage|which hall|"
                    r"which channel|what channel|which stream|what stream|room for|"
                    r"location|venue)\b")
_WHO = re.compile(r"\bwho(?:'s|’s| is| are| was|se)?\b")
_BY_SPEAKER = re.compile(r"\b(talking about|speaking (?:on|about)|talks?\b\s*\??$|"
                         r"(?:talks?|sessions?|workshops?) (?:by|from|with)|"
                         r"sessions?\b|giv(?:e|es|ing)|presenting|doing|speak(?:ing|s)?|"
                         r"has (?:a few|some|several) talks)\b")
_WHAT_ON = re.compile(r"\b(what'?s|what is|whats|anything|something|is there|which|"
                      r"any talks?|what)\b.*\b(on|in|at|happening)\b")
_TOPIC = re.compile(r"\b(is there|are there|any|anything)\b.*\b(talks?|sessions?|workshops?|"
                    r"keynotes?|something)\b.*\b(about|on|covering|regarding)\b")
_SCHEDULE_WORDS = re.compile(r"\b(schedule|programme|program|agenda|lineup|line-up|timetable)"
                             r"\b")
_CLOCK = re.compile(
    r"(?<![\w.:/-])(?:(?P<at>at|around|about|by|from|~)\s*)?"
    r"(?P<h>[01]?\d|2[0-3])(?:[:.h](?P<m>[0-5]\d))?\s*(?P<ampm>[ap]\.?m\.?)?(?![\w:/-])",
    re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")
_MONTH_DAY = re.compile(r"\b(?P<mon>[a-z]{3,9})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b|"
                        r"\b(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>[a-z]{3,9})\b")
_ORDINAL_DAY = re.compile(r"\bthe\s+([0-3]?\d)(?:st|nd|rd|th)\b|\b([0-3]?\d)(?:st|nd|rd|th)\b")
_DAY_N = re.compile(r"\bday\s*(\d|one|two|three|four|five)\b|\b(first|second|third|fourth|"
                    r"fifth|last)\s+day\b")


@dataclass(slots=True)
class When:
    """A day and/or a time of day the question names (resolved against the clock and the
    conference's days later)."""

    relative_day: int | None = None  # 0 today, 1 tomorrow, -1 yesterday
    weekday: int | None = None
    day_of_month: int | None = None
    month: int | None = None
    iso: date | None = None
    day_number: int | None = None  # "day 2"; -1 for "last day"
    clock: time | None = None
    part: str | None = None  # morning, afternoon, evening, tonight

    @property
    def has_day(self) -> bool:
        return any(v is not None for v in (self.relative_day, self.weekday,
                                           self.day_of_month, self.iso, self.day_number))


@dataclass(slots=True)
class ScheduleQuestion:
    kind: str  # when, where, who, speaker, now, next, at, day, topic
    text: str
    tokens: list[str]  # compact tokens, for names of rooms, tracks and people
    words: str  # the text with time words taken out, to find a talk by
    when: When = field(default_factory=When)
    after: bool = False  # "after this", "after the ooni talk"


def _clock(match: re.Match[str], text: str) -> time | None:
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "").lower()
    if not ampm and not match["m"] and not match["at"]:
        return None  # a bare number is not a time ("3 talks", "aes 1024")
    if not ampm and not match["m"]:
        # "at 3" is a time only when followed by nothing that makes it a count
        rest = text[match.end():match.end() + 12]
        if re.match(r"\s*(talks?|sessions?|people|days?|rooms?|of\b)", rest):
            return None
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    elif not ampm and 1 <= hour <= 7:
        hour += 12  # talks at "4:30" are in the afternoon, not before dawn
    if hour > 23:
        return None
    return time(hour, minute)


def read_when(text: str) -> tuple[When, str]:
    """The day and time words of a (case-folded) question, and the text without them."""
    when = When()
    spans: list[tuple[int, int]] = []

    def take(match: re.Match[str]) -> None:
        spans.append(match.span())

    for word, offset in (("today", 0), ("tonight", 0), ("tomorrow", 1), ("tmrw", 1),
                         ("tmr", 1), ("yesterday", -1)):
        found = re.search(rf"\b{word}\b", text)
        if found:
            when.relative_day = offset
            take(found)
            if word == "tonight":
                when.part = "evening"
    for part, words in (("morning", r"this morning|in the morning|morning"),
                        ("afternoon", r"this afternoon|in the afternoon|afternoon"),
                        ("evening", r"this evening|in the evening|evening|tonight")):
        found = re.search(rf"\b({words})\b", text)
        if found and when.part is None:
            when.part = part
            take(found)
            if found[1].startswith("this") and when.relative_day is None:
                when.relative_day = 0
    found = _ISO_DATE.search(text)
    if found:
        try:
            when.iso = date(int(found[1]), int(found[2]), int(found[3]))
            take(found)
        except ValueError:
            pass
    for found in _MONTH_DAY.finditer(text):
        month = MONTHS.get(found["mon"] or found["mon2"] or "")
        day = int(found["d"] or found["d2"] or 0)
        if month and 1 <= day <= 31:
            when.month, when.day_of_month = month, day
            take(found)
            break
    if when.day_of_month is None:
        found = _ORDINAL_DAY.search(text)
        if found:
            day = int(found[1] or found[2])
            if 1 <= day <= 31:
                when.day_of_month = day
                take(found)
    found = _DAY_N.search(text)
    if found:
        if found[1]:
            when.day_number = int(found[1]) if found[1].isdigit() else ORDINALS[found[1]]
        else:
            when.day_number = -1 if found[2] == "last" else ORDINALS[found[2]]
        take(found)
    for word, number in WEEKDAYS.items():
        found = re.search(rf"\b(on\s+)?{word}\b", text)
        if found and (len(word) > 3 or found[1]):  # "sat"/"sun" only after "on"
            when.weekday = number
            take(found)
            break
    for found in _CLOCK.finditer(text):
        if any(a <= found.start() < b for a, b in spans):
            continue
        moment = _clock(found, text)
        if moment is not None:
            when.clock = moment
            take(found)
            break
    if when.clock is None:
        found = re.search(r"\b(?:at |around |by )?(noon|midday|midnight)\b", text)
        if found:
            when.clock = time(12, 0) if found[1] != "midnight" else time(0, 0)
            take(found)
    if when.clock is not None and when.part == "evening" and when.clock.hour < 12:
        when.clock = when.clock.replace(hour=when.clock.hour + 12)
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    return when, rest


def read_schedule_question(text: str) -> ScheduleQuestion | None:
    """The schedule question in ``text``, or None when it asks about what the notes say
    ("what did the ceph talk say about crush?")."""
    lowered = " ".join(text.casefold().replace("’", "'").split())
    when, rest = read_when(lowered)
    tokens = [compact(t) for t in plain_tokens(lowered)]
    after = bool(re.search(r"\bafter\b", lowered))
    kind: str | None = None
    if _WHO.search(lowered) and re.search(r"\bwho(?:'s| is)? (?:on|up|speaking|talking|"
                                          r"presenting)\b(?! (?:about|on)\b)", lowered) \
            and (when.clock is not None or _NOW.search(lowered)):
        # "who's on stage in saal 1 now?": what is on, with its speakers
        kind = "at" if when.clock is not None else "now"
    elif _WHO.search(lowered) and not re.search(r"\bwho (?:said|says|mentioned|thinks?|"
                                                r"argued|recommended)\b", lowered):
        kind = "who"
    elif _WHERE.search(lowered):
        kind = "where"
    elif _NEXT.search(lowered):
        kind = "next"
    elif _WHEN.search(lowered):
        kind = "when"
    elif _TOPIC.search(lowered) and when.clock is None and not _NOW.search(lowered):
        kind = "topic"
    elif when.clock is not None and (_WHAT_ON.search(lowered) or re.search(
            r"\b(in|on|at)\b", lowered)):
        kind = "at"
    elif _NOW.search(lowered) and (_WHAT_ON.search(lowered) or "what" in lowered
                                   or "anything" in lowered):
        kind = "now"
    elif re.search(r"\b(what'?s|whats|what is|anything|something)\s+(on|happening|going on|"
                   r"playing|running)\b", lowered) and not when.has_day:
        kind = "now"  # "what's on in janson?": at this moment, unless a day is named
    elif _SCHEDULE_WORDS.search(lowered) or (when.has_day and _WHAT_ON.search(lowered)):
        kind = "day"
    elif _BY_SPEAKER.search(lowered) or re.search(r"\btalks\s*\??$", lowered):
        kind = "speaker"  # only if the question names a speaker (checked by the answer)
    if kind is None:
        return None
    if kind == "when" and when.clock is not None and not re.search(
            r"\b(when|what time|which time|starts?|begins?)\b", lowered):
        kind = "at"
    return ScheduleQuestion(kind=kind, text=text, tokens=tokens, words=rest, when=when,
                            after=after)


def day_offset(days: list[date], number: int) -> date | None:
    """The conference's ``number``-th day (1-based; -1 the last)."""
    if not days:
        return None
    if number == -1:
        return days[-1]
    first = days[0]
    wanted = first + timedelta(days=number - 1)
    return wanted if number >= 1 else None
