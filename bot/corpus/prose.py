"""Speakers named in prose near the start of a session's notes.

Blog-style notes name the speaker in a sentence: "The first session I attended was by Cole
Crawford of the Open Compute Foundation", "The Colony session was lead by Shigetoshi
Yokoyama", "The speaker, Tim Smith, is the co-founder of …", "led by Rahul Dhide and Dan
Romlein". Only the opening of a session is read, where such a sentence introduces it.
"""

from __future__ import annotations

import re

from bot.corpus.people import people, person_name, strip_markup

# Names stay on one line: a line break ends a name ("Dan Romlein" then a "Resources" line).
_WORD = r"[A-Z][\w'’.\-]*"
_CAP_NAME = rf"{_WORD}(?:[ \t]+(?:(?:de|da|van|von|der|le|la|del)[ \t]+)?{_WORD}){{1,3}}"
_JOIN = r"(?:,[ \t]*|[ \t]+and[ \t]+|[ \t]*&[ \t]*)"
_NAMES = rf"(?P<who>{_CAP_NAME}(?:\s*(?:\([^)]*\)\s*)?{_JOIN}{_CAP_NAME})*)"
# Wording that says the names are the speakers: any well-formed name is taken.
_INTRODUCED = re.compile(
    r"\b(?:(?:led|lead|presented|given|hosted|moderated|run|delivered|facilitated)\s+by|"
    r"(?:session|talk|keynote|presentation|panel|workshop)\s+(?:I attended\s+)?(?:was\s+)?by|"
    r"was\s+by|speakers?\s+(?:was|were)|presenters?\s+(?:was|were))\s+" + _NAMES)
_THE_SPEAKER = re.compile(r"\b[Tt]he (?:speaker|presenter)s?,?\s+" + _NAMES + r"\s*,")
MAX_CHARS = 1200


def prose_speakers(text: str) -> list[str]:
    """Speakers introduced in the first sentences of ``text``; [] when none are."""
    opening = "\n".join(strip_markup(line) for line in text[:MAX_CHARS].split("\n"))
    names: list[str] = []
    for pattern in (_INTRODUCED, _THE_SPEAKER):
        for match in pattern.finditer(opening):
            who = re.split(r"\s+(?:of|from|at|who|with)\s+", match.group("who"))[0]
            for name in people(who):
                if person_name(name) and name not in names:
                    names.append(name)
    return names
