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
    "wondering remember anyone folks guys"
))

_MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|@[\w.\-]+:[\w.\-]+(?::\d+)?")


class QuestionProblem(Exception):
    """A question that cannot be looked up; the message is the one-sentence reply."""


@dataclass(slots=True, frozen=True)
class Question:
    text: str  # as shown back to the asker
    terms: tuple[str, ...]  # all index terms, with repeats
    content_terms: tuple[str, ...]  # without cue words


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
    content = tuple(t for t in terms if t not in CUE_TERMS)
    if not terms:
        raise QuestionProblem(
            "That question has no words I can look up; please name a topic, for example: "
            "what was said about object storage?")
    return Question(text=text, terms=tuple(terms), content_terms=content)
