"""End-to-end encryption against a real Synapse: the bot with ``encryption`` on, asked by
people whose clients encrypt as Element's do (tests/matrix/encrypted.py).

What the server keeps is checked as well as what the asker reads: every event the bot
sends in an encrypted room is ``m.room.encrypted`` on the server, never a plain message.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.platforms.matrix.client import MatrixPlatform
from tests.matrix.conftest import PASSWORD, BotFactory, unique
from tests.matrix.encrypted import TIMEOUT, EncryptedPerson, Received, _until
from tests.matrix.synapse import Synapse

CRUSH = "what did the Ceph talk say about CRUSH?"
TITLE = "Storing VMs with Cinder and Ceph RBD"
GRACE = 1.0  # undecryptable_grace_seconds for the bot in these tests

AskerFactory = Callable[..., Awaitable[EncryptedPerson]]


@pytest.fixture
async def asker(synapse: Synapse, tmp_path: Path) -> AsyncIterator[AskerFactory]:
    """``await asker("alice")``: a new person on one encrypting device, started;
    ``await asker(same_as=alice)``: another device of that person, started."""
    made: list[EncryptedPerson] = []

    async def make(name: str = "alice", same_as: EncryptedPerson | None = None
                   ) -> EncryptedPerson:
        store = tmp_path / "askers" / f"device{len(made)}"
        if same_as is None:
            user_id = synapse.register(unique(name), PASSWORD)
            one = EncryptedPerson(synapse.url, user_id, PASSWORD, store)
        else:
            one = same_as.another_device(store)
        made.append(one)
        await one.start()
        return one

    yield make
    for one in reversed(made):
        await one.close()


def bot_device(bot: MatrixPlatform) -> tuple[str, str]:
    return str(bot.client.user_id), str(bot.client.device_id)


async def encrypted_dm(alice: EncryptedPerson, bot: MatrixPlatform) -> str:
    room_id = await alice.create_encrypted_dm(bot.client.user_id)
    await alice.wait_joined(room_id, bot.client.user_id)
    return room_id


async def assert_all_encrypted(person: EncryptedPerson, room_id: str, sender: str,
                               at_least: int = 1) -> list[dict[str, Any]]:
    """Every (non-state) event ``sender`` sent in the room is ``m.room.encrypted`` on the
    server, with nothing readable beside the ciphertext."""
    events = await person.raw_events_from(room_id, sender)
    assert len(events) >= at_least, events
    for event in events:
        assert event["type"] == "m.room.encrypted", event
        content = event["content"]
        assert content.get("algorithm") == "m.megolm.v1.aes-sha2", event
        assert "body" not in content and "formatted_body" not in content, event
    return events


async def assert_answer(person: EncryptedPerson, room_id: str, asked: str,
                        bot_id: str) -> Received:
    """The bot's reply to ``asked``, decrypted on this device, quoting the CRUSH passage."""
    reply = await person.wait_message(room_id, bot_id, lambda r: r.in_reply_to == asked)
    assert reply.decrypted, "the reply was sent in the clear"
    content = reply.content
    assert content["msgtype"] == "m.notice"
    assert content["m.relates_to"]["m.in_reply_to"] == {"event_id": asked}
    assert content["body"].startswith(TITLE), content["body"][:200]
    assert "CRUSH" in content["body"] and "pseudo-random placement" in content["body"]
    assert "<blockquote>" in content.get("formatted_body", "")
    return reply


# --- the harness itself ---------------------------------------------------------------------
async def test_the_harness_people_read_each_others_encrypted_messages(
        asker: AskerFactory) -> None:
    """No bot: two people (one on two devices) talk in an encrypted room, so that a failure
    below is the bot's and not the harness's."""
    alice = await asker("alice")
    alice_phone = await asker(same_as=alice)
    bob = await asker("bob")
    assert alice_phone.device_id != alice.device_id
    room_id = await alice.create_encrypted_room(invite=[bob.user_id])
    await bob.join(room_id)
    await alice.wait_joined(room_id, bob.user_id)
    await alice.wait_devices(alice.user_id, count=1)  # the phone, known to the laptop
    asked = await alice.send_encrypted(room_id, "hello, bob")
    assert (bob.user_id, bob.device_id) in alice.shared_with(room_id)
    seen = await bob.wait_message(room_id, alice.user_id, lambda r: r.event_id == asked)
    assert seen.decrypted and seen.content["body"] == "hello, bob"
    await bob.wait_room(room_id, encrypted=True)
    await bob.wait_joined(room_id, alice.user_id)
    answered = await bob.send_encrypted(
        room_id, "hello, alice", **{"m.relates_to": {"m.in_reply_to": {"event_id": asked}}})
    for device in (alice, alice_phone):
        content = await device.wait_reply(room_id, asked, bob.user_id)
        assert content["body"] == "hello, alice"
    await assert_all_encrypted(alice, room_id, bob.user_id)
    assert answered in [e["event_id"] for e in await alice.raw_events(room_id)]
    # a person whose keys are withheld cannot read what is sent afterwards
    await bob.withhold_keys_from(alice.user_id)
    secret = await bob.send_encrypted(room_id, "not for alice")
    await bob.wait_message(room_id, bob.user_id, lambda r: r.event_id == secret)

    async def locked() -> bool:
        return any(e.event_id == secret for e in alice.undecrypted[room_id])

    await _until(locked, TIMEOUT, "alice seeing bob's withheld message as undecryptable")
    assert not any(r.event_id == secret for r in alice.received[room_id])


# --- the bot ---------------------------------------------------------------------------------
async def test_an_encrypted_direct_chat_gets_an_encrypted_answer(
        start_bot: BotFactory, asker: AskerFactory) -> None:
    bot = await start_bot(encryption=True)
    alice = await asker("alice")
    dm = await encrypted_dm(alice, bot)
    asked = await alice.send_encrypted(dm, CRUSH)  # a direct chat: every message a question
    assert bot_device(bot) in alice.shared_with(dm), "the room key never reached the bot"
    await assert_answer(alice, dm, asked, bot.client.user_id)
    await assert_all_encrypted(alice, dm, bot.client.user_id)
    (question,) = [e for e in await alice.raw_events(dm) if e["event_id"] == asked]
    assert question["type"] == "m.room.encrypted"


async def test_after_a_restart_the_device_is_kept_and_answers_still_decrypt(
        start_bot: BotFactory, asker: AskerFactory) -> None:
    first = await start_bot(encryption=True)
    alice = await asker("alice")
    dm = await encrypted_dm(alice, first)
    asked = await alice.send_encrypted(dm, CRUSH)
    await assert_answer(alice, dm, asked, first.client.user_id)
    device_id = first.client.device_id
    await first.close()
    bot = await start_bot(encryption=True)  # the same state_dir
    assert bot.client.device_id == device_id
    assert [d.id for d in await alice.wait_devices(bot.client.user_id)] == [device_id]
    # asked with the prefix: what is checked here is the encryption, not how a restarted
    # bot tells a direct chat (the next test)
    again = await alice.send_encrypted(dm, "!ask what is CRUSH in Ceph?")
    reply = await alice.wait_message(dm, bot.client.user_id, lambda r: r.in_reply_to == again)
    assert reply.decrypted and "CRUSH" in reply.content["body"]
    events = await assert_all_encrypted(alice, dm, bot.client.user_id, at_least=2)
    # nothing answered twice across the restart, nothing said that alice cannot read
    assert len(events) == 2, [e["event_id"] for e in events]
    assert not [e.event_id for e in alice.undecrypted[dm] if e.sender == bot.client.user_id]


async def test_an_encrypted_direct_chat_is_still_one_after_a_restart(
        start_bot: BotFactory, asker: AskerFactory) -> None:
    first = await start_bot(encryption=True)
    alice = await asker("alice")
    dm = await encrypted_dm(alice, first)
    asked = await alice.send_encrypted(dm, CRUSH)
    await assert_answer(alice, dm, asked, first.client.user_id)
    await first.close()
    bot = await start_bot(encryption=True)
    again = await alice.send_encrypted(dm, CRUSH)  # no prefix: every message a question
    await assert_answer(alice, dm, again, bot.client.user_id)


async def test_an_encrypted_group_room_answer_decrypts_on_both_devices_of_the_asker(
        start_bot: BotFactory, asker: AskerFactory) -> None:
    bot = await start_bot(encryption=True)
    alice = await asker("alice")
    alice_phone = await asker(same_as=alice)
    bob = await asker("bob")
    room_id = await alice.create_encrypted_room(invite=[bot.client.user_id, bob.user_id])
    await bob.join(room_id)
    for device in (alice, alice_phone):
        await device.wait_room(room_id, encrypted=True)
        await device.wait_joined(room_id, bot.client.user_id)
        await device.wait_joined(room_id, bob.user_id)
    asked = await alice.send_encrypted(room_id, f"!ask {CRUSH}")
    for device in (alice, alice_phone, bob):
        await assert_answer(device, room_id, asked, bot.client.user_id)
    await assert_all_encrypted(alice, room_id, bot.client.user_id)


async def test_a_device_that_logs_in_later_reads_the_next_answer(
        start_bot: BotFactory, asker: AskerFactory) -> None:
    """The bot's room key goes to a device that appeared after the bot's last message: its
    sync must query the device lists that changed (which makes nio start a new room key)."""
    bot = await start_bot(encryption=True)
    alice = await asker("alice")
    bob = await asker("bob")
    room_id = await alice.create_encrypted_room(invite=[bot.client.user_id, bob.user_id])
    await bob.join(room_id)
    await alice.wait_joined(room_id, bot.client.user_id)
    await alice.wait_joined(room_id, bob.user_id)
    first = await alice.send_encrypted(room_id, f"!ask {CRUSH}")
    await assert_answer(alice, room_id, first, bot.client.user_id)
    alice_phone = await asker(same_as=alice)
    await alice_phone.wait_room(room_id, encrypted=True)

    def bot_knows_the_phone() -> bool:
        return any(d.id == alice_phone.device_id
                   for d in bot.client.device_store.active_user_devices(alice.user_id))

    await _until(bot_knows_the_phone, TIMEOUT, "the bot querying alice's new device")
    await alice.wait_devices(alice.user_id, count=1)
    second = await alice.send_encrypted(room_id, "!ask what is CRUSH in Ceph?")
    for device in (alice, alice_phone):
        reply = await device.wait_message(room_id, bot.client.user_id,
                                          lambda r: r.in_reply_to == second)
        assert reply.decrypted and "CRUSH" in reply.content["body"]


async def test_a_plain_room_still_gets_a_plain_notice(
        start_bot: BotFactory, asker: AskerFactory) -> None:
    bot = await start_bot(encryption=True)
    alice = await asker("alice")
    room_id = await alice.create_plain_room(invite=[bot.client.user_id])
    await alice.wait_joined(room_id, bot.client.user_id)
    asked = await alice.send_plain(room_id, f"!ask {CRUSH}")
    reply = await alice.wait_message(room_id, bot.client.user_id,
                                     lambda r: r.in_reply_to == asked)
    assert not reply.decrypted
    assert reply.content["msgtype"] == "m.notice" and "CRUSH" in reply.content["body"]
    events = await alice.raw_events_from(room_id, bot.client.user_id)
    assert [e["type"] for e in events] == ["m.room.message"]
    assert events[0]["content"]["body"].startswith(TITLE)


def assert_private(folder: Path) -> list[Path]:
    """The folder 0700, every file under it 0600 (SQLite's -journal and -wal included),
    any folder under it closed to others; returns the files."""
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700, oct(folder.stat().st_mode)
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        for name in dirs:
            with_mode = Path(root) / name
            try:
                mode = stat.S_IMODE(with_mode.stat().st_mode)
            except FileNotFoundError:
                continue
            assert mode & 0o077 == 0, f"{with_mode}: {oct(mode)}"
        for name in names:
            path = Path(root) / name
            try:
                mode = stat.S_IMODE(path.lstat().st_mode)
            except FileNotFoundError:
                continue  # a journal that came and went
            assert mode == 0o600, f"{path}: {oct(mode)}"
            files.append(path)
    return files


async def test_the_crypto_store_is_private(start_bot: BotFactory, asker: AskerFactory) -> None:
    old_umask = os.umask(0o022)  # the common default: the bot must not rely on a tight one
    try:
        bot = await start_bot(encryption=True)
        state_dir = bot.config.state_dir
        assert state_dir is not None
        alice = await asker("alice")
        dm = await encrypted_dm(alice, bot)
        asked = await alice.send_encrypted(dm, CRUSH)
        await assert_answer(alice, dm, asked, bot.client.user_id)
        running = assert_private(state_dir)  # while its database is open
        assert {p.name for p in running} - {"matrix-session.json", "matrix-sync.json"}, \
            f"no crypto store in {state_dir}: {running}"
        await bot.close()
        assert_private(state_dir)
    finally:
        os.umask(old_umask)


async def test_an_undecryptable_message_gets_one_encrypted_notice(
        start_bot: BotFactory, asker: AskerFactory) -> None:
    bot = await start_bot(encryption=True, undecryptable_grace_seconds=GRACE)
    alice = await asker("alice")
    dm = await encrypted_dm(alice, bot)
    await alice.withhold_keys_from(bot.client.user_id)  # the room key never reaches the bot
    asked = await alice.send_encrypted(dm, CRUSH)
    assert bot_device(bot) not in alice.shared_with(dm)
    notice = await alice.wait_message(dm, bot.client.user_id)
    assert notice.decrypted, "the notice was sent in the clear"
    assert notice.content["msgtype"] == "m.notice"
    assert notice.in_reply_to == asked  # which message it could not read
    body = notice.content["body"].lower()
    assert "again" in body or "resend" in body, body
    (question,) = [e for e in await alice.raw_events(dm) if e["event_id"] == asked]
    waited_ms = notice.server_timestamp - question["origin_server_ts"]
    assert waited_ms >= GRACE * 1000, f"the notice came {waited_ms} ms after the message"
    await asyncio.sleep(3 * GRACE)  # no second notice for the same message
    (event,) = await assert_all_encrypted(alice, dm, bot.client.user_id)
    assert event["event_id"] == notice.event_id
    assert not [r for r in alice.received[dm] if r.sender == bot.client.user_id
                and "CRUSH" in r.content.get("body", "")]
