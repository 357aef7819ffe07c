"""Parsing, rendering, backoff and saved logins, without a homeserver."""

from __future__ import annotations

import random
import stat
from pathlib import Path

from bot.answer.models import Answer, Quote
from bot.commands import AnswerReply, Notice
from bot.commands.text import HEDGE, HEDGE_ALONE
from bot.platforms.matrix import state
from bot.platforms.matrix.backoff import Backoff
from bot.platforms.matrix.parse import Request, parse_request
from bot.platforms.matrix.render import render_content, reply_relation
from bot.search.index import PassageRecord, SessionRecord

BOT = "@summitbot:summit.test"


def _quote(title: str, text: str, *, session_id: int = 0, position: int = 0,
           source: str = "c.md") -> Quote:
    """A quote from a made-up one-passage session, for rendering tests."""
    record = SessionRecord(id=session_id, title=title, speakers=(), summit=None, date=None,
                           track=None, tags=(), url=None, aliases=(), source=source,
                           fingerprint="f", passage_count=1)
    passage = PassageRecord(session_id, session_id, position, None, text, len(text))
    return Quote(record, passage, text, (), 1.0)


def _parse(body: str, **kwargs: object) -> Request | None:
    return parse_request(body, prefix="!", user_id=BOT, display_name="Summit Bot",
                         **kwargs)  # type: ignore[arg-type]


def test_commands_mentions_and_direct_chats() -> None:
    assert _parse("!ask what about ceph?") == Request("ask", "what about ceph?")
    assert _parse("!SESSIONS storage") == Request("sessions", "storage")
    assert _parse("!reload") == Request("reload", "")
    assert _parse("!unknown thing") is None
    assert _parse("Summit Bot: what is colony?") == Request("ask", "what is colony?")
    assert _parse(f"{BOT} what is colony?") == Request("ask", "what is colony?")
    assert _parse("summit bot, !help") == Request("help", "")
    assert _parse("Summit Botany is fun") is None
    pill = f'<a href="https://matrix.to/#/{BOT}">SB</a>: what is colony?'
    assert _parse("SB: what is colony?", formatted_body=pill) == \
        Request("ask", "what is colony?")
    assert _parse("lunch anyone?") is None
    assert _parse("lunch anyone?", direct=True) == Request("ask", "lunch anyone?")


def test_notice_content_is_escaped_and_pings_no_one() -> None:
    content = render_content(Notice("<b>x</b> & @room"))
    assert content["msgtype"] == "m.notice" and content["m.mentions"] == {}
    assert "@room" not in content["body"] and "@room" not in content["formatted_body"]
    assert "<b>" not in content["formatted_body"]
    assert "&lt;b&gt;" in content["formatted_body"]


def test_reply_relation_in_and_out_of_threads() -> None:
    assert reply_relation("$e", None) == {"m.in_reply_to": {"event_id": "$e"}}
    assert reply_relation("$e", "$root") == {
        "rel_type": "m.thread", "event_id": "$root", "is_falling_back": False,
        "m.in_reply_to": {"event_id": "$e"}}


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(first=1.0, cap=300.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(12)]
    assert 0.5 <= delays[0] <= 1.0
    assert all(150 <= d <= 300 for d in delays[9:])
    assert sum(delays) > 600  # a day of outage costs a few hundred requests, not millions
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def test_saved_login_is_private_and_scoped(tmp_path: Path) -> None:
    login = state.SavedLogin("http://hs", BOT, "DEVICE", "secret-token")
    state.save(tmp_path, login)
    path = tmp_path / state.FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert state.load(tmp_path, "http://hs", BOT) == login
    assert state.load(tmp_path, "http://other", BOT) is None
    state.forget(tmp_path)
    assert state.load(tmp_path, "http://hs", BOT) is None


def test_a_hedged_answer_quotes_first_and_says_so_below_in_both_bodies() -> None:
    text = "Ceph spreads data with CRUSH."
    quote = _quote("Ceph <talk>", text)
    content = render_content(AnswerReply(Answer("q", True, best=quote, confident=False)))
    assert content["body"] == f"Ceph <talk>\n> {text}\nSource: c.md\n{HEDGE_ALONE}"
    assert content["formatted_body"] == (
        f"<b>Ceph &lt;talk&gt;</b><blockquote>{text}</blockquote>"
        f"<p>Source: <code>c.md</code></p><p><i>{HEDGE_ALONE}</i></p>")


def test_an_answer_from_outside_the_summit_asked_about_says_so_in_both_bodies() -> None:
    quote = _quote("Ceph", "Ceph spreads data with CRUSH.")
    content = render_content(AnswerReply(Answer("q", True, best=quote, confident=False,
                                                elsewhere="at kubecon")))
    said = "Nothing at kubecon matched, so this is from other notes."
    assert content["body"].splitlines()[0] == "Ceph"  # the quote first, as always
    assert content["body"].endswith(said)
    assert content["formatted_body"].endswith(f"<p><i>{said}</i></p>")


def test_a_hedged_answer_s_candidates_are_an_escaped_list_after_the_caveat() -> None:
    def quote(sid: int, title: str, text: str, position: int) -> Quote:
        return _quote(title, text, session_id=sid, position=position, source="n.md")

    best = quote(0, "Ceph", "CRUSH places data.", 1)
    content = render_content(AnswerReply(Answer("q", True, confident=False, best=best,
                                                alternatives=[
        quote(0, "Ceph", "Recovery <b>runs</b> in @room.", 2),
        quote(1, "Swift & <i>Co</i>", "Swift replicates objects.", 0)])))
    html = content["formatted_body"]
    assert html.startswith("<b>Ceph</b><blockquote>CRUSH places data.</blockquote>")
    assert html.index("</blockquote>") < html.index(f"<p><i>{HEDGE}</i></p><ul>")
    assert html.endswith(
        "<ul><li><i>Further on in this session</i>: “Recovery &lt;b&gt;runs&lt;/b&gt; in "
        "@\u2060room.”</li>"
        "<li><i>Swift &amp; &lt;i&gt;Co&lt;/i&gt;</i>: “Swift replicates objects.”</li></ul>")
    assert "See also" not in html and "See also" not in content["body"]
    body = content["body"].split("\n")
    assert body[0] == "Ceph" and body.index(HEDGE) > body.index("> CRUSH places data.")
    assert body[-1] == "- Swift & <i>Co</i>: “Swift replicates objects.”"
    assert "@room" not in content["body"] and "@room" not in html


def test_see_also_in_html_is_escaped_and_names_the_session() -> None:
    def quote(sid: int, title: str, text: str) -> Quote:
        return _quote(title, text, session_id=sid, source="n.md")

    best = quote(0, "Ceph", "CRUSH places data.")
    content = render_content(AnswerReply(Answer("q", True, best=best, alternatives=[
        quote(0, "Ceph", "Recovery <b>runs</b> in parallel."),
        quote(1, "Swift & Co", "Swift replicates objects.")])))
    html = content["formatted_body"]
    assert "See also (Swift & Co): “Swift replicates objects.”" in content["body"]
    assert ("<li><i>this session</i>: “Recovery &lt;b&gt;runs&lt;/b&gt; in parallel.”</li>"
            in html)
    assert "<li><i>Swift &amp; Co</i>: “Swift replicates objects.”</li>" in html


async def test_only_a_fatal_error_stops_the_retries(tmp_path: Path) -> None:
    """A library's RuntimeError is retried like any passing failure; MatrixFatal is not."""
    import pytest

    from bot.commands import SummitService
    from bot.config import MatrixConfig
    from bot.platforms.matrix.client import MatrixPlatform
    from bot.platforms.matrix.errors import MatrixFatal

    config = MatrixConfig(homeserver="http://127.0.0.1:9", user_id=BOT, state_dir=tmp_path)
    platform = MatrixPlatform(SummitService(tmp_path / "i.sqlite3", []), config,
                              backoff=Backoff(first=0.001, cap=0.001))
    calls: list[int] = []

    async def flaky() -> None:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("a library's own trouble")

    async def refused() -> None:
        calls.append(1)
        raise MatrixFatal("matrix: login refused")

    try:
        await platform._with_backoff(flaky)
        assert len(calls) == 3
        calls.clear()
        with pytest.raises(MatrixFatal):
            await platform._with_backoff(refused)
        assert len(calls) == 1
    finally:
        await platform.client.close()


def test_a_decrypted_question_is_timed_by_the_servers_clock_as_events_show_it(
        tmp_path: Path) -> None:
    """Decryption drops an event's age, so its send time comes from the server's timestamp,
    corrected by how far our clock runs from the server's (learnt from events with an age):
    a bot whose clock is ten minutes ahead still answers a fresh encrypted question."""
    import time

    from nio import Event, RoomMessageText

    from bot.commands import SummitService
    from bot.config import MatrixConfig
    from bot.platforms.matrix.client import MatrixPlatform

    config = MatrixConfig(homeserver="http://127.0.0.1:9", user_id=BOT, state_dir=tmp_path)
    platform = MatrixPlatform(SummitService(tmp_path / "i.sqlite3", []), config)
    ahead = 10 * 60 * 1000  # our clock, ten minutes ahead of the server's
    ours = time.time() * 1000
    platform._started_ms = int(ours - 60_000)
    server_now = int(ours - ahead)
    member = Event.parse_event({
        "type": "m.room.member", "event_id": "$m", "sender": "@a:x", "state_key": "@a:x",
        "origin_server_ts": server_now - 5_000, "unsigned": {"age": 5_000},
        "content": {"membership": "join"}})
    question = RoomMessageText.from_dict({
        "type": "m.room.message", "event_id": "$q", "sender": "@a:x",
        "origin_server_ts": server_now - 1_000,
        "content": {"msgtype": "m.text", "body": "what is CRUSH?"}})
    assert platform._too_old(question)  # judged by the raw timestamp, it looks stale
    platform._note_server_clock(None, member)  # type: ignore[arg-type]
    assert not platform._too_old(question)
    assert abs(platform._sent_at_ms(question) - (ours - 1_000)) < 1_000
