"""Rendering without a network: every cut stays within its limit and keeps markup whole."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer.models import Answer, Quote
from bot.commands import AnswerReply, Notice, ReloadReport
from bot.commands.text import SEVERAL
from bot.platforms.discord.render import (
    ASKED_CHARS,
    CONTENT_LIMIT,
    ELLIPSIS,
    HEDGE_ALONE_FIELD,
    HEDGE_FIELD,
    answer_message,
    choices,
    clip,
    fit,
    reload_message,
    render,
)
from bot.search.index import PassageRecord, SessionRecord

MARKDOWNY = st.text(alphabet=st.sampled_from(list("ab _*`~|>#-\\\n[]()@")), max_size=400)


def session(title: str = "T", **extra: object) -> SessionRecord:
    fields: dict[str, object] = dict(id=0, title=title, speakers=("S",), summit=None, date=None,
                                     track=None, tags=(), url=None, aliases=(),
                                     source="notes.md", fingerprint="f",
                                     passage_count=1)
    fields.update(extra)
    return SessionRecord(**fields)  # type: ignore[arg-type]


@st.composite
def marked_text(draw: st.DrawFn) -> tuple[str, tuple[tuple[int, int], ...]]:
    text = draw(MARKDOWNY)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=8))))
    spans = tuple((a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b)
    return text, spans


@settings(max_examples=200, deadline=None)
@given(marked_text(), st.integers(min_value=2, max_value=300))
def test_fit_never_exceeds_its_limit(marked: tuple[str, tuple[tuple[int, int], ...]],
                                     limit: int) -> None:
    text, spans = marked
    out = fit(text, limit, spans)
    assert len(out) <= limit
    if out.endswith(ELLIPSIS) and len(fit(text, 10**6, spans)) > limit:
        assert not out[:-1].endswith("\\") or out[:-1].endswith("\\\\")


def test_fit_escapes_notes_and_bolds_matches() -> None:
    text = "use *stars* and _under_ for CRUSH"
    start = text.index("CRUSH")
    assert fit(text, 100, ((start, start + 5),)) == (
        "use \\*stars\\* and \\_under\\_ for **CRUSH**")


def test_clip_cuts_at_a_word_with_an_ellipsis() -> None:
    assert clip("short", 10) == "short"
    out = clip("one two three four five six", 15)
    assert out == "one two three…" and len(out) <= 15


def test_choices_are_at_most_25_of_at_most_100_characters() -> None:
    made = choices([f"{i} " + "x" * 150 for i in range(40)])
    assert len(made) == 25
    assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in made)


def test_answer_embed_total_stays_within_6000() -> None:
    s = session("T" * 400, speakers=tuple("Speaker " * 30 for _ in range(30)),
                url="https://example.org/" + "p" * 900)
    text = "word " * 2000
    quote = Quote(s, PassageRecord(0, 0, 0, None, text, len(text)), text, ((0, 4),), 1.0)
    alt = Quote(session("A" * 900), quote.passage, text, (), 0.5)
    for confident in (True, False):
        message = answer_message(AnswerReply(Answer("q" * 500, True, best=quote,
                                                    alternatives=[alt, alt, alt],
                                                    confident=confident)))
        embed = message.embed
        assert embed is not None and not message.ephemeral
        assert len(embed) <= 6000
        assert message.content is not None and len(message.content) <= 2000
        assert embed.title is not None and len(embed.title) <= 256
        assert embed.description is not None and embed.description.endswith(ELLIPSIS)
        assert all(len(f.value or "") <= 1024 for f in embed.fields)
        assert len(embed.fields) == 2  # the source, and the two other passages


def test_miss_is_one_ephemeral_sentence_with_escaped_titles() -> None:
    message = answer_message(AnswerReply(Answer("q", False,
                                                nearest=[session("a_b"), session("c*d")])))
    assert message.ephemeral and message.embed is None
    assert message.content is not None
    assert "a\\_b; c\\*d" in message.content and "\n" not in message.content


def test_sessions_sharing_the_name_asked_are_listed_escaped_for_the_asker() -> None:
    message = answer_message(AnswerReply(Answer("q", False, several=True,
                                                nearest=[session("a_b"), session("c*d")])))
    assert message.ephemeral and message.embed is None
    assert message.content == f"{SEVERAL}\n- a\\_b\n- c\\*d"


def test_short_reload_report_has_no_attachment_and_escapes_paths() -> None:
    report = ReloadReport(ok=True, problems=[("my_notes.md", "its front matter is bad")])
    message = reload_message(report)
    assert message.attachment is None and message.ephemeral
    assert message.content is not None and "my\\_notes.md" in message.content


def test_notice_keeps_its_text_and_privacy() -> None:
    message = render(Notice("Please wait.", kind="cooldown"))
    assert message.content == "Please wait." and message.ephemeral


def _quote(sid: int, title: str, text: str, position: int = 0) -> Quote:
    return Quote(session(title, id=sid), PassageRecord(sid, sid, position, None, text, 1), text,
                 (), 1.0)


def test_a_hedged_answer_shows_the_quote_first_and_says_so_below_it_in_public() -> None:
    text = "Ceph spreads data with CRUSH."
    quote = Quote(session("Ceph"), PassageRecord(0, 0, 0, None, text, len(text)), text, (), 1.0)
    message = answer_message(AnswerReply(Answer("how is data spread", True, best=quote,
                                                confident=False)))
    assert message.content == "Asked: how is data spread" and not message.ephemeral
    embed = message.embed
    assert embed is not None and embed.title == "Ceph" and embed.description == text
    names = [f.name for f in embed.fields]
    assert names == ["Source", HEDGE_ALONE_FIELD]  # no candidates: the caveat alone
    assert all(f.value for f in embed.fields)  # Discord rejects an empty field
    declined = answer_message(AnswerReply(Answer("q", False, best=quote, confident=False)))
    assert declined.ephemeral and declined.content is not None
    assert not declined.content.startswith("Asked")
    sure = answer_message(AnswerReply(Answer("how is data spread", True, best=quote)))
    assert sure.content == "Asked: how is data spread" and not sure.ephemeral
    assert sure.embed is not None and [f.name for f in sure.embed.fields] == ["Source"]


def test_an_answer_from_outside_the_summit_asked_about_says_so_below_the_quote() -> None:
    best = _quote(0, "Ceph", "CRUSH places data.")
    other = _quote(1, "Swift", "Swift replicates objects.")
    message = answer_message(AnswerReply(Answer("ceph at kubecon?", True, best=best,
                                                confident=False, alternatives=[other],
                                                elsewhere="at kubecon")))
    assert message.embed is not None and message.embed.description == "CRUSH places data."
    names = [f.name for f in message.embed.fields]
    assert names == ["Source", "Nothing at kubecon matched, so this is from other notes"]
    assert message.embed.fields[1].value == "• *Swift*: “Swift replicates objects.”"
    alone = answer_message(AnswerReply(Answer("q", True, best=best, confident=False,
                                              elsewhere="in barcelona")))
    assert alone.embed is not None and all(f.value for f in alone.embed.fields)


def test_a_hedged_answer_offers_its_other_candidates_below_the_quote() -> None:
    best = _quote(0, "Ceph", "CRUSH places data.", position=3)
    later = _quote(0, "Ceph", "Recovery runs on *every* node " + "at once " * 40, position=5)
    other = _quote(1, "Swift_Talk", "Swift replicates @everyone's objects.")
    message = answer_message(AnswerReply(Answer("q", True, best=best, confident=False,
                                                alternatives=[later, other])))
    assert message.embed is not None and message.embed.description == "CRUSH places data."
    names = [f.name for f in message.embed.fields]
    assert names == ["Source", HEDGE_FIELD] and "See also" not in names
    first, second = (message.embed.fields[1].value or "").split("\n")
    assert first.startswith("• *Further on in this session*: “Recovery runs on \\*every\\*")
    assert first.endswith("…”") and len(first) < 200  # a snippet, not the passage
    assert second == "• *Swift\\_Talk*: “Swift replicates @everyone's objects.”"


def test_see_also_shows_each_alternative_s_session_and_opening_words_escaped() -> None:
    best = _quote(0, "Ceph", "CRUSH places data.")
    same = _quote(0, "Ceph", "Recovery runs on *every* node " + "at once " * 40)
    other = _quote(1, "Swift_Talk", "Swift replicates @everyone's objects.")
    message = answer_message(AnswerReply(Answer("q", True, best=best,
                                                alternatives=[same, other])))
    assert message.embed is not None
    assert HEDGE_FIELD not in [f.name for f in message.embed.fields]
    (field,) = [f for f in message.embed.fields if f.name == "See also"]
    first, second = (field.value or "").split("\n")
    assert first.startswith("• *this session*: “Recovery runs on \\*every\\* node")
    assert first.endswith("…”") and len(first) < 200  # a snippet, not the passage
    assert second == "• *Swift\\_Talk*: “Swift replicates @everyone's objects.”"


def test_the_question_is_shown_escaped_on_one_line_and_cut() -> None:
    best = _quote(0, "Ceph", "CRUSH places data.")
    asked = "what did **Ceph** say\nabout @everyone's _data_?"
    message = answer_message(AnswerReply(Answer(asked, True, best=best, confident=False)))
    assert message.content == ("Asked: what did \\*\\*Ceph\\*\\* say about @everyone's "
                               "\\_data\\_?")
    long = answer_message(AnswerReply(Answer("ceph " * 100 + "*" * 500, True, best=best)))
    assert long.content is not None and long.content.startswith("Asked: ceph ceph")
    assert long.content.endswith(ELLIPSIS) and len(long.content) <= len("Asked: ") + ASKED_CHARS
    assert len(long.content) <= CONTENT_LIMIT


def test_a_long_report_is_cut_into_escaped_pages_within_a_message() -> None:
    import time as clock

    from bot.commands.results import ReportReply
    from bot.feedback.report import FeedbackReport, Unanswered
    from bot.platforms.discord.render import report_pages

    report = FeedbackReport(since_days=7, questions=300, declined=300, unanswered=[
        Unanswered(f"question {n} about **ceph** @everyone " + "word " * 30, 1,
                   clock.time(), ["A session"], "declined") for n in range(60)])
    pages = report_pages(ReportReply(report))
    assert len(pages) > 1
    assert all(len(page) <= 2000 for page in pages)
    assert pages[0].startswith("In the last 7 days") and pages[-1].endswith(
        f"(page {len(pages)} of {len(pages)})")
    assert "\\*\\*ceph\\*\\*" in pages[0]  # the asker's markdown is shown, not rendered
    assert sum(page.count("question ") for page in pages) == 60  # nothing lost


def test_a_rehearsal_writes_times_out_instead_of_discord_stamps() -> None:
    """Discord counts <t:…:R> from the real date: while rehearsing (SUMMIT_BOT_NOW) the
    time is written out with the bot's own 'in 25 min'."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.commands.results import ScheduleReply
    from bot.corpus.models import Slot
    from bot.platforms.discord.render import schedule_message
    from bot.schedule.answer import ScheduleAnswer
    from bot.schedule.programme import Talk

    start = datetime.fromisoformat("2030-06-01T10:00:00+02:00")
    record = SessionRecord(
        id=0, title="Storage at Scale", speakers=("Ada Quill",), summit="Test Summit",
        date="2030-06-01", track=None, tags=(), url=None, aliases=(), source="s.json",
        fingerprint="f", passage_count=0,
        slot=Slot(start=start.isoformat(), room="Saal 1", timezone="Europe/Berlin"))
    talk = Talk(record, start, None, ZoneInfo("Europe/Berlin"))
    now = datetime.fromisoformat("2030-06-01T09:35:00+02:00")
    answer = ScheduleAnswer(question="when is storage at scale", kind="when", answered=True,
                            now=now, talks=[talk])
    real = schedule_message(ScheduleReply(answer)).embed
    assert real is not None and real.fields[0].value.startswith(
        f"<t:{int(start.timestamp())}:F>")
    answer.rehearsal = True
    rehearsed = schedule_message(ScheduleReply(answer)).embed
    assert rehearsed is not None
    assert rehearsed.fields[0].value == "Sat 1 Jun 10:00 CEST (UTC+02:00) · in 25 min"
