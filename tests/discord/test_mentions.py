"""@mentioning the bot: the rest of the message is a question, answered as a reply."""

from __future__ import annotations

import asyncio

import pytest

from bot.commands import SummitService
from bot.commands.text import DECLINE
from bot.platforms.discord.render import FAILURE
from tests.discord.fake_discord import (
    APP_ID,
    BOT_ROLE_ID,
    BOT_USER,
    CHANNEL_ID,
    OTHER_BOT,
    FakeDiscord,
)

pytestmark = pytest.mark.usefixtures("bot")
CEPH = "what did the Ceph talk say about CRUSH?"


async def test_mention_is_answered_as_a_reply(fake_discord: FakeDiscord) -> None:
    message = fake_discord.message(f"<@{APP_ID}> {CEPH}", mentions=(BOT_USER,))
    await fake_discord.dispatch("MESSAGE_CREATE", message)
    reply = await fake_discord.reply_to(message)
    body = reply.json
    assert body["message_reference"]["message_id"] == int(message["id"])
    assert body["message_reference"]["channel_id"] == CHANNEL_ID
    assert body["allowed_mentions"] == {"parse": []}  # not even the asker is pinged
    # shown as for /ask (and as for a schedule answer), the bot's mention left out
    assert body["content"] == f"Asked: {CEPH}"
    (embed,) = body["embeds"]
    assert embed["title"] == "Storing VMs with Cinder and Ceph RBD"
    assert "**CRUSH**" in embed["description"]


async def test_nickname_and_role_mentions_count_too(fake_discord: FakeDiscord) -> None:
    nick = fake_discord.message(f"<@!{APP_ID}> {CEPH}", mentions=(BOT_USER,))
    role = fake_discord.message(f"<@&{BOT_ROLE_ID}> {CEPH}")
    for message in (nick, role):
        await fake_discord.dispatch("MESSAGE_CREATE", message)
        reply = await fake_discord.reply_to(message)
        assert reply.json["embeds"][0]["title"] == "Storing VMs with Cinder and Ceph RBD"


async def test_mention_miss_and_empty_mention_get_one_short_reply(fake_discord: FakeDiscord
                                                                  ) -> None:
    miss = fake_discord.message(f"<@{APP_ID}> what is the weather on mars tomorrow",
                                mentions=(BOT_USER,))
    empty = fake_discord.message(f"<@{APP_ID}>", mentions=(BOT_USER,))
    await fake_discord.dispatch("MESSAGE_CREATE", miss)
    await fake_discord.dispatch("MESSAGE_CREATE", empty)
    missed = await fake_discord.reply_to(miss)
    assert missed.json["content"].startswith(DECLINE)
    assert "embeds" not in missed.json or not missed.json["embeds"]
    helped = await fake_discord.reply_to(empty)
    assert "/ask" in helped.json["content"]


async def test_bots_unaddressed_messages_and_everyone_are_ignored(fake_discord: FakeDiscord
                                                                  ) -> None:
    ignored = [
        fake_discord.message(f"<@{APP_ID}> {CEPH}", OTHER_BOT, mentions=(BOT_USER,)),
        fake_discord.message(f"<@{APP_ID}> {CEPH}", BOT_USER, mentions=(BOT_USER,)),  # itself
        fake_discord.message(CEPH),
        fake_discord.message(f"@everyone {CEPH}", mention_everyone=True),
    ]
    for message in ignored:
        await fake_discord.dispatch("MESSAGE_CREATE", message)
    answered = fake_discord.message(f"<@{APP_ID}> {CEPH}", mentions=(BOT_USER,))
    await fake_discord.dispatch("MESSAGE_CREATE", answered)
    await fake_discord.reply_to(answered)  # handled after every ignored one was seen
    posts = fake_discord.matching("POST", f"/channels/{CHANNEL_ID}/messages")
    assert len(posts) == 1


async def test_mention_cooldown_reply(fake_discord: FakeDiscord,
                                     service: SummitService) -> None:
    service.cooldowns.seconds = 60
    first = fake_discord.message(f"<@{APP_ID}> {CEPH}", mentions=(BOT_USER,))
    await fake_discord.dispatch("MESSAGE_CREATE", first)
    await fake_discord.reply_to(first)
    second = fake_discord.message(f"<@{APP_ID}> {CEPH}", mentions=(BOT_USER,))
    await fake_discord.dispatch("MESSAGE_CREATE", second)
    reply = await fake_discord.reply_to(second)
    assert "try again in 60 seconds" in reply.json["content"]


async def test_a_direct_message_is_a_question_without_a_mention(fake_discord: FakeDiscord
                                                                ) -> None:
    message = fake_discord.message(CEPH, in_guild=False)
    await fake_discord.dispatch("MESSAGE_CREATE", message)
    reply = await fake_discord.reply_to(message)
    assert reply.json["embeds"][0]["title"] == "Storing VMs with Cinder and Ceph RBD"


async def test_a_failure_is_one_sentence_and_the_traceback_goes_to_the_log(
        fake_discord: FakeDiscord, service: SummitService, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def broken(text: str, requester: object = None) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "ask", broken)
    message = fake_discord.message(f"<@{APP_ID}> {CEPH}", mentions=(BOT_USER,))
    await fake_discord.dispatch("MESSAGE_CREATE", message)
    reply = await fake_discord.reply_to(message)
    assert reply.json["content"] == FAILURE
    assert "secret internals" in caplog.text and "Traceback" in caplog.text


async def test_a_reply_refused_with_503_is_sent_again(fake_discord: FakeDiscord,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """discord.py retries 500, 502 and 504 itself, not 503: the bot does, once."""
    fake_discord.fail_messages = [503]
    message = fake_discord.message(f"<@{APP_ID}> {CEPH}", mentions=(BOT_USER,))
    await fake_discord.dispatch("MESSAGE_CREATE", message)
    reply = await fake_discord.reply_to(message)
    assert reply.json["embeds"][0]["title"] == "Storing VMs with Cinder and Ceph RBD"
    assert fake_discord.fail_messages == []

    fake_discord.fail_messages = [503, 503]  # and if Discord is still busy: logged
    again = fake_discord.message(f"<@{APP_ID}> {CEPH}", mentions=(BOT_USER,))
    await fake_discord.dispatch("MESSAGE_CREATE", again)
    for _ in range(500):  # a bounded poll: the line comes after the retry's wait
        if any("was not delivered" in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.01)
    (line,) = [r.getMessage() for r in caplog.records if "was not delivered" in r.getMessage()]
    assert "503" in line and ("answered" in line or "hedged" in line)
