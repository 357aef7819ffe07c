"""Plain-text answers (the console, Matrix's ``body``): a hedged answer shows its best
passage first, as a sure one is shown, then a short caveat and the other candidates."""

from __future__ import annotations

from bot.answer.models import Answer, Quote
from bot.commands import AnswerReply
from bot.commands.text import DECLINE, HEDGE, HEDGE_ALONE, answer_text, render_text
from bot.search.index import PassageRecord, SessionRecord


def quote(sid: int, title: str, text: str, position: int = 0,
          marks: tuple[tuple[int, int], ...] = ()) -> Quote:
    record = SessionRecord(id=sid, title=title, speakers=("Josh",), summit="Summit 2012",
                           date=None, track=None, tags=(), url=None, aliases=(),
                           source=f"{sid}.md", fingerprint="f", passage_count=5)
    passage = PassageRecord(sid * 10 + position, sid, position, None, text, len(text))
    return Quote(record, passage, text, marks, 1.0)


BEST = quote(0, "Ceph", "CRUSH places data.\nIt avoids lookup tables.", position=2,
             marks=((0, 5),))
LATER = quote(0, "Ceph", "Recovery runs on every node " + "at once " * 40, position=4)
EARLIER = quote(0, "Ceph", "Josh from Inktank presented Ceph.", position=0)
OTHER = quote(1, "Swift at scale", "Swift replicates objects three times.")


def hedged(*alternatives: Quote) -> Answer:
    return Answer("how does ceph place data", True, best=BEST,
                  alternatives=list(alternatives), confident=False)


def test_a_hedged_answer_opens_with_the_session_title_and_says_so_after_the_quote() -> None:
    lines = answer_text(hedged(LATER, OTHER)).split("\n")
    assert lines[0] == "Ceph"
    assert lines[1] == "Josh · Summit 2012"
    assert lines[2:4] == ["> **CRUSH** places data.", "> It avoids lookup tables."]
    assert lines[4] == "Source: 0.md"
    assert lines[5] == HEDGE
    assert len(HEDGE) <= 60  # one short sentence, read at a glance
    later, other = lines[6:]
    # the same session is said to be so, not named again; a snippet, not the whole passage
    assert later.startswith("- Further on in this session: “Recovery runs on every node")
    assert later.endswith("…”") and len(later) < 200
    assert other == "- Swift at scale: “Swift replicates objects three times.”"
    assert not any("See also" in line for line in lines)


def test_an_earlier_passage_of_the_same_session_is_said_to_be_earlier() -> None:
    text = answer_text(hedged(EARLIER))
    assert "- Earlier in this session: “Josh from Inktank presented Ceph.”" in text


def test_a_hedged_answer_without_other_candidates_offers_none() -> None:
    lines = answer_text(hedged()).split("\n")
    assert lines[0] == "Ceph" and lines[-1] == HEDGE_ALONE
    assert HEDGE not in lines


def test_a_confident_answer_is_unchanged() -> None:
    sure = Answer("q", True, best=BEST, alternatives=[LATER, OTHER])
    lines = render_text(AnswerReply(sure)).split("\n")
    assert lines[:5] == ["Ceph", "Josh · Summit 2012", "> **CRUSH** places data.",
                         "> It avoids lookup tables.", "Source: 0.md"]
    assert lines[5].startswith("See also (this session): “Recovery runs")
    assert lines[6] == "See also (Swift at scale): “Swift replicates objects three times.”"
    assert HEDGE not in lines and HEDGE_ALONE not in lines


def test_a_decline_is_one_sentence_and_the_closest_sessions() -> None:
    text = answer_text(Answer("q", False, nearest=[BEST.session, OTHER.session]))
    assert text == f"{DECLINE}\nClosest sessions: Ceph; Swift at scale"
