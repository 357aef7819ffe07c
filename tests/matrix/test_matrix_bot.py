"""The Matrix bot against a real Synapse, driven by real matrix-nio clients as people."""

from __future__ import annotations

import time
from pathlib import Path

from bot.commands import SummitService
from tests.matrix.conftest import BotFactory, Person, wait_until
from tests.matrix.synapse import Synapse

CRUSH = "!ask what did the Ceph talk say about CRUSH?"


async def room_with_bot(alice: Person, bot_id: str) -> str:
    room_id = await alice.create_room(invite=[bot_id])

    async def joined() -> bool:
        return bot_id in await alice.members(room_id)

    await wait_until(joined)
    return room_id


async def test_invite_join_and_ask(start_bot: BotFactory, person) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot()
    alice = await person("alice")
    room_id = await room_with_bot(alice, bot.client.user_id)
    asked = await alice.send(room_id, CRUSH)
    reply = await alice.reply_to(room_id, asked, bot.client.user_id)
    content = reply["content"]
    assert content["msgtype"] == "m.notice"
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": asked}}
    assert content["m.mentions"] == {}
    assert content["format"] == "org.matrix.custom.html"
    html = content["formatted_body"]
    assert html.startswith("<b>Storing VMs with Cinder and Ceph RBD</b>")
    assert "<blockquote>" in html and "<strong>CRUSH</strong>" in html
    body = content["body"]
    assert body.startswith("Storing VMs with Cinder and Ceph RBD")
    assert "pseudo-random placement" in body and "<" not in body.split("\n", 1)[0]


async def test_mention_thread_and_direct_chat(start_bot: BotFactory, person) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot()
    alice = await person("alice")
    room_id = await room_with_bot(alice, bot.client.user_id)
    # a message that starts by mentioning the bot by its id
    asked = await alice.send(room_id, f"{bot.client.user_id}: what is colony?")
    reply = await alice.reply_to(room_id, asked, bot.client.user_id)
    assert "Colony" in reply["content"]["body"]
    # not addressed to the bot: no reply
    await alice.send(room_id, "lunch anyone?")
    # a question in a thread is answered in that thread
    root = await alice.send(room_id, "thread about storage")
    in_thread = await alice.send(room_id, "!ask what is the RADOS block device?",
                                 **{"m.relates_to": {"rel_type": "m.thread",
                                                     "event_id": root}})
    reply = await alice.reply_to(room_id, in_thread, bot.client.user_id)
    relates = reply["content"]["m.relates_to"]
    assert relates["rel_type"] == "m.thread" and relates["event_id"] == root
    assert relates["m.in_reply_to"] == {"event_id": in_thread}
    # in a direct chat every message is a question
    dm = await alice.create_room(invite=[bot.client.user_id], direct=True)

    async def joined() -> bool:
        return bot.client.user_id in await alice.members(dm)

    await wait_until(joined)
    asked = await alice.send(dm, "which hypervisor does reddwarf use")
    reply = await alice.reply_to(dm, asked, bot.client.user_id)
    assert "OpenVZ" in reply["content"]["body"]
    replies = await alice.replies_from(room_id, bot.client.user_id)
    assert len(replies) == 2  # the mention and the thread; "lunch anyone?" got nothing


async def test_reload_is_for_admins_and_reports_bad_files(
        start_bot: BotFactory, person, corpus_copy: Path) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot()
    alice = await person("alice")  # room creator: power level 100
    bob = await person("bob")
    room_id = await alice.create_room(invite=[bot.client.user_id, bob.user_id])
    await bob.client.join(room_id)

    async def joined() -> bool:
        members = await alice.members(room_id)
        return bot.client.user_id in members and bob.user_id in members

    await wait_until(joined)
    asked = await bob.send(room_id, "!reload")
    refused = await bob.reply_to(room_id, asked, bot.client.user_id)
    assert "Only admins" in refused["content"]["body"]
    (corpus_copy / "storing-vms-cinder-ceph-rbd.md").write_text("---\ntitle: [oops\n---\n")
    asked = await alice.send(room_id, "!reload")
    report = await alice.reply_to(room_id, asked, bot.client.user_id, timeout=60)
    body = report["content"]["body"]
    assert body.startswith("Reloaded")
    assert "storing-vms-cinder-ceph-rbd.md: its front matter is not valid YAML" in body
    asked = await bob.send(room_id, CRUSH)
    reply = await bob.reply_to(room_id, asked, bot.client.user_id)
    assert "pseudo-random placement" in reply["content"]["body"]  # previous version served


async def test_html_and_room_mentions_in_notes_are_harmless(
        start_bot: BotFactory, person, corpus_copy: Path) -> None:  # type: ignore[no-untyped-def]
    (corpus_copy / "hostile.md").write_text(
        "---\ntitle: Xylophone <b>Bold</b> Tricks\n---\n\nThe xylophone talk said "
        "<script>alert(1)</script> & @room should hear about marimbas.\n")
    bot = await start_bot(admin_users=[])
    alice = await person("alice")
    room_id = await room_with_bot(alice, bot.client.user_id)
    asked = await alice.send(room_id, "!reload")
    await alice.reply_to(room_id, asked, bot.client.user_id, timeout=60)
    asked = await alice.send(room_id, "!ask what did the xylophone talk say about marimbas")
    reply = await alice.reply_to(room_id, asked, bot.client.user_id)
    content = reply["content"]
    assert "<script>" not in content["formatted_body"]
    assert "&lt;script&gt;" in content["formatted_body"] or \
        "alert(1)" in content["formatted_body"]
    assert "@room" not in content["body"] and "@room" not in content["formatted_body"]
    assert content["m.mentions"] == {}


async def test_invites_only_from_allowed_people(start_bot: BotFactory, person) -> None:  # type: ignore[no-untyped-def]
    alice = await person("alice")
    mallory = await person("mallory")
    bot = await start_bot(allowed_inviters=[alice.user_id])
    bad_room = await mallory.create_room(invite=[bot.client.user_id])
    good_room = await room_with_bot(alice, bot.client.user_id)
    assert good_room

    async def declined() -> bool:
        state = await mallory.api("GET", f"/rooms/{bad_room}/state/m.room.member/"
                                         f"{bot.client.user_id}")
        return state.get("membership") == "leave"

    await wait_until(declined)


async def test_backlog_own_messages_and_edits_are_not_answered(
        start_bot: BotFactory, person, synapse: Synapse) -> None:  # type: ignore[no-untyped-def]
    alice = await person("alice")
    first = await start_bot()
    room_id = await room_with_bot(alice, first.client.user_id)
    await first.close()
    old = await alice.send(room_id, CRUSH)  # asked while the bot is away
    bot = await start_bot()
    new = await alice.send(room_id, CRUSH)
    await alice.reply_to(room_id, new, bot.client.user_id)
    await alice.send(room_id, "* !ask what is colony?", **{
        "m.new_content": {"msgtype": "m.text", "body": "!ask what is colony?"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": new}})
    # A last question, answered only after the bot has seen everything sent before it.
    sentinel = await alice.send(room_id, "!sessions ceph")
    await alice.reply_to(room_id, sentinel, bot.client.user_id)
    replies = await alice.replies_from(room_id, bot.client.user_id)
    targets = [r["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] for r in replies]
    # not the old one, not the edit, and never its own notices
    assert targets == [new, sentinel]
    assert old not in targets


async def test_recovers_after_the_homeserver_restarts(
        start_bot: BotFactory, person, synapse: Synapse) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot()
    alice = await person("alice")
    room_id = await room_with_bot(alice, bot.client.user_id)
    synapse.stop()
    before = bot.sync_attempts
    down_since = time.monotonic()

    async def retried_twice() -> bool:
        return bot.sync_attempts - before >= 3

    await wait_until(retried_twice, timeout=30)
    assert not bot.connected
    # Back-off from 0.5 s (each wait at least half its step): two waits of 0.25 s and
    # 0.5 s at the least lie between the first failed request and the third, so a
    # retry loop would show here however fast the machine is.
    assert time.monotonic() - down_since >= 0.75
    synapse.start()  # same database: the same users, rooms and tokens
    asked = await alice.send(room_id, CRUSH)
    reply = await alice.reply_to(room_id, asked, bot.client.user_id, timeout=30)
    assert "pseudo-random placement" in reply["content"]["body"]
    assert bot.connected
    assert time.monotonic() - down_since < 60


async def test_with_encryption_off_an_encrypted_room_is_told_once_it_cannot_be_read(
        start_bot: BotFactory, person) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(encryption=False)
    alice = await person("alice")
    created = await alice.client.room_create(invite=[bot.client.user_id], initial_state=[
        {"type": "m.room.encryption", "state_key": "",
         "content": {"algorithm": "m.megolm.v1.aes-sha2"}}])
    room_id = created.room_id

    async def joined() -> bool:
        return bot.client.user_id in await alice.members(room_id)

    await wait_until(joined)
    encrypted = {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEnAC" * 8,
                 "sender_key": "c2VuZGVya2V5c2VuZGVya2V5", "device_id": "ALICEDEV",
                 "session_id": "c2Vzc2lvbmlkc2Vzc2lvbmlk"}
    for txn in ("e1", "e2", "e3"):
        await alice.api("PUT", f"/rooms/{room_id}/send/m.room.encrypted/{txn}", encrypted)

    async def told() -> bool:
        return bool(await alice.replies_from(room_id, bot.client.user_id))

    await wait_until(told)
    # A plain question after them: once it is answered, every event before it was seen.
    sentinel = await alice.send(room_id, "!sessions ceph")
    await alice.reply_to(room_id, sentinel, bot.client.user_id)
    replies = await alice.replies_from(room_id, bot.client.user_id)
    (notice,) = [r for r in replies if r["content"].get("m.relates_to", {})
                 .get("m.in_reply_to", {}).get("event_id") != sentinel]
    assert notice["content"]["msgtype"] == "m.notice"
    assert "can't read encrypted rooms" in notice["content"]["body"]


async def test_reactions_on_answers_are_votes(start_bot: BotFactory, person,  # type: ignore[no-untyped-def]
                                              feedback_service: SummitService) -> None:
    """👎 on the bot's answer is recorded; a reaction on someone else's message is not; the
    bot says nothing in the room for a vote."""
    bot = await start_bot(feedback_service)
    alice = await person("alice")  # the room's creator: an admin, who may see the report
    room_id = await room_with_bot(alice, bot.client.user_id)
    asked = await alice.send(room_id, CRUSH)
    reply = await alice.reply_to(room_id, asked, bot.client.user_id)

    async def react(event_id: str, key: str) -> None:
        await alice.client.room_send(room_id, "m.reaction", {"m.relates_to": {
            "rel_type": "m.annotation", "event_id": event_id, "key": key}})

    await react(reply["event_id"], "👎")
    await react(asked, "👍")  # alice's own message: not an answer of the bot's
    report = await alice.send(room_id, "!report")
    shown = await alice.reply_to(room_id, report, bot.client.user_id)
    body = shown["content"]["body"]
    assert "1 question(s)" in body and "votes: 0 helpful, 1 not it" in body
    assert "“what did the Ceph talk say about CRUSH?”" in body  # listed as voted down
    replies = await alice.replies_from(room_id, bot.client.user_id)
    assert len(replies) == 2  # the answer and the report: nothing for the votes


async def test_a_restart_resumes_the_sync_and_answers_nothing_twice(
        start_bot: BotFactory, person, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    caplog.set_level(logging.INFO, logger="bot.platforms.matrix.client")
    first = await start_bot()
    alice = await person("alice")
    room_id = await room_with_bot(alice, first.client.user_id)
    before = await alice.send(room_id, CRUSH)
    await alice.reply_to(room_id, before, first.client.user_id)
    await first.close()
    saved = first.config.state_dir / "matrix-sync.json"  # type: ignore[operator]
    assert saved.exists() and oct(saved.stat().st_mode & 0o777) == "0o600"
    away = await alice.send(room_id, CRUSH)  # asked while the bot is down
    bot = await start_bot()
    assert any("resuming the sync" in r.getMessage() for r in caplog.records)
    after = await alice.send(room_id, "!sessions ceph")
    await alice.reply_to(room_id, after, bot.client.user_id)
    replies = await alice.replies_from(room_id, bot.client.user_id)
    targets = [r["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] for r in replies]
    assert targets == [before, after]  # the first once, the one asked away not at all
    assert away not in targets
