"""What the notes contain must not break Discord's rules: lengths are cut cleanly, and an
@everyone or a role mention in a passage pings no one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.answer.models import Answer, Quote
from bot.commands import AnswerReply, Requester, SummitService
from bot.search.index import PassageRecord
from tests.discord.fake_discord import ADMIN_ROLE_ID, APP_ID, BOT_USER, FakeDiscord

pytestmark = pytest.mark.usefixtures("bot")

LONG_TITLE = ("A Very Long Session Title About Quokkas " * 9).strip()  # 359 characters


async def reindex(service: SummitService) -> None:
    report = await service.reload(Requester("test", "admin", is_admin=True))
    assert not isinstance(report, str) and getattr(report, "ok", False), report


def assert_within_limits(embed: dict[str, Any]) -> None:
    assert len(embed.get("title", "")) <= 256
    assert len(embed.get("description", "")) <= 4096
    assert len(embed.get("fields", [])) <= 25
    for f in embed.get("fields", []):
        assert len(f["name"]) <= 256 and len(f["value"]) <= 1024
    assert len(embed.get("footer", {}).get("text", "")) <= 2048
    total = len(embed.get("title", "")) + len(embed.get("description", "")) + sum(
        len(f["name"]) + len(f["value"]) for f in embed.get("fields", [])) + len(
        embed.get("footer", {}).get("text", ""))
    assert total <= 6000


async def test_everyone_in_a_note_pings_no_one(fake_discord: FakeDiscord,
                                               service: SummitService,
                                               corpus_copy: Path) -> None:
    (corpus_copy / "etiquette.md").write_text(
        "---\ntitle: Channel Etiquette\nspeakers: [Moderators]\n---\n\n"
        f"The moderator reminded @everyone and <@&{ADMIN_ROLE_ID}> that zebrafish "
        "questions belong in the zebrafish thread.\n")
    await reindex(service)
    sent = await fake_discord.interact(
        fake_discord.slash("ask", question="where do zebrafish questions belong?"))
    data = sent.json["data"]
    (embed,) = data["embeds"]
    assert "@everyone" in embed["description"]
    assert f"<@&{ADMIN_ROLE_ID}>" in embed["description"]
    assert data["allowed_mentions"] == {"parse": []}

    message = fake_discord.message(f"<@{APP_ID}> where do zebrafish questions belong?",
                                   mentions=(BOT_USER,))
    await fake_discord.dispatch("MESSAGE_CREATE", message)
    reply = await fake_discord.reply_to(message)
    assert "@everyone" in reply.json["embeds"][0]["description"]
    assert reply.json["allowed_mentions"] == {"parse": []}


async def test_long_title_and_long_passage_are_cut_within_limits(
        fake_discord: FakeDiscord, service: SummitService, corpus_copy: Path) -> None:
    blob = "quokka_x*" * 900  # one 8,100-character "word": escaping makes it longer still
    (corpus_copy / "long.md").write_text(
        f"---\ntitle: {LONG_TITLE}\nspeakers: [Q]\n---\n\nQuokkas are discussed here: "
        f"{blob}\n")
    await reindex(service)

    asked = await fake_discord.interact(
        fake_discord.slash("ask", question="what was said about quokkas?"))
    (embed,) = asked.json["data"]["embeds"]
    assert_within_limits(embed)
    assert embed["title"].endswith("…") and embed["title"].startswith("A Very Long")

    shown = await fake_discord.interact(fake_discord.slash("session", title=LONG_TITLE[:150]))
    (embed,) = shown.json["data"]["embeds"]
    assert_within_limits(embed)
    assert embed["description"].endswith("…")
    assert len(embed["description"]) > 3000  # cut near the limit, not far before it
    assert "\\_" in embed["description"]  # the notes' markdown is escaped, not rendered

    choices = await fake_discord.interact(
        fake_discord.autocomplete("session", "title", "quokkas"))
    (choice,) = [c for c in choices.json["data"]["choices"] if c["name"].startswith("A Very")]
    assert len(choice["name"]) <= 100 and choice["name"].endswith("…")
    picked = await fake_discord.interact(fake_discord.slash("session", title=choice["value"]))
    assert picked.json["data"]["embeds"][0]["title"].startswith("A Very Long")


async def test_a_huge_quote_is_cut_with_its_marks_intact(
        fake_discord: FakeDiscord, service: SummitService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    session = service.index.sessions[0]
    text = "Storage *matters* " * 600  # 10,800 characters
    marks = tuple((m, m + 7) for m in range(0, len(text), 18))
    passage = PassageRecord(0, session.id, 0, None, text, len(text))
    quote = Quote(session, passage, text, marks, 1.0)

    async def huge(question: str, requester: Requester | None = None) -> AnswerReply:
        return AnswerReply(Answer(question, True, best=quote, alternatives=[quote, quote]))

    monkeypatch.setattr(service, "ask", huge)
    sent = await fake_discord.interact(fake_discord.slash("ask", question="storage"))
    (embed,) = sent.json["data"]["embeds"]
    assert_within_limits(embed)
    description = embed["description"]
    assert description.endswith("…")
    assert description.count("**") % 2 == 0  # no bold left open by the cut
    assert description.startswith("**Storage** \\*matters\\*")
