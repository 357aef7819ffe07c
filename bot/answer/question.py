"""Reading a chat question: limits, chat boilerplate, and its index terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.search.tokenizer import tokenize

MAX_QUESTION_CHARS = 500

# Words that say *how* something was presented, not *what* is asked about. They help to
# recognise a named session ("the Ceph talk") but carry no weight as content.
CUE_TERMS = frozenset(tokenize(
    "talk talks session sessions presentation presentations presenter panel speaker speakers "
    "mention mentioned discuss discussed discussion cover covered explain explained notes note "
    "summit conference lecture workshop slides speech mentioning stuff thing things part "
    "learn learned know hear heard anybody somebody bot gave give giving given spoke speak "
    "speaking host hosted presented presenting present talked talking quick question "
    "wondering remember anyone folks guys author blogger notetaker writer attendee"
))

# Generic verbs and adjectives: a passage that answers may well say them differently
# ("came from" for "come from", "implemented" for "build"), so they weigh little when
# judging whether a passage covers the question.
LIGHT_TERMS = frozenset(tokenize(
    "come came go went goes make made build built use used using need needs want wants like "
    "good bad big small large huge tiny new old way ways thing things kind lot lots work "
    "works worked working happen happened mean means think thought look looks see seen show "
    "shown find found give take took put set keep kept start started better best much many "
    "long short high low right wrong different same able possible real important main idea "
    "ideas point points exactly actually basically mostly generally specific specifically "
    "interesting cool notable noteworthy highlight highlights anything everything share "
    "shared sharing run runs running"
))

# In "who ran the Colony session?" the verb only asks for the person: the session's
# speakers answer it.
WHO_CUES = frozenset(tokenize("ran run runs lead leads led did do does organised organized "
                              "moderated chaired introduced"))

_MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|@[\w.\-]+:[\w.\-]+(?::\d+)?")


class QuestionProblem(Exception):
    """A question that cannot be looked up; the message is the one-sentence reply."""


@dataclass(slots=True, frozen=True)
class Question:
    text: str  # as shown back to the asker
    terms: tuple[str, ...]  # all index terms, with repeats
    content_terms: tuple[str, ...]  # without cue words
    asks_who: bool = False


def parse_question(raw: str) -> Question:
    """Validate and tokenize a question; raises QuestionProblem with a reply to send."""
    text = _MENTION.sub(" ", raw or "")
    text = " ".join(text.split())
    if not text:
        raise QuestionProblem(
            "Please ask a question in words, for example: what did the Ceph talk say about CRUSH?")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionProblem(
            f"That question is {len(text):,} characters long; please ask it in under "
            f"{MAX_QUESTION_CHARS} characters.")
    terms = tokenize(text)
    asks_who = text.lower().startswith(("who ", "who's ", "whose ", "who'd "))
    content = tuple(t for t in terms
                    if t not in CUE_TERMS and not (asks_who and t in WHO_CUES))
    if not terms:
        raise QuestionProblem(
            "That question has no words I can look up; please name a topic, for example: "
            "what was said about object storage?")
    return Question(text=text, terms=tuple(terms), content_terms=content, asks_who=asks_who)
