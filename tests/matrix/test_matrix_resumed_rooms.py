"""After a restart the bot resumes its sync, which brings nio only the rooms where something
happened meanwhile: a quiet room the bot is in must still take an announcement (read from
the room's state on the server), encrypted where the room is."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.matrix.conftest import PASSWORD, BotFactory, Person, joined_room, unique, wait_until
from tests.matrix.encrypted import EncryptedPerson
from tests.matrix.synapse import Synapse

WAIT = 25.0


@pytest.fixture
async def alice_encrypting(synapse: Synapse, tmp_path: Path
                           ) -> AsyncIterator[EncryptedPerson]:
    one = EncryptedPerson(synapse.url, synapse.register(unique("alice"), PASSWORD), PASSWORD,
                          tmp_path / "alice")
    await one.start()
    yield one
    await one.close()


async def test_a_quiet_room_takes_a_post_after_a_restart(
        start_bot: BotFactory, person: Callable[[str], Awaitable[Person]]) -> None:
    first = await start_bot(encryption=False)
    bot_id = first.client.user_id
    alice = await person("alice")
    room_id = await joined_room(alice, first)
    await first.close()
    bot = await start_bot(encryption=False)
    assert room_id not in bot.client.rooms, "the resumed sync brought the room: test nothing"
    assert await bot.post(room_id, "Starting in 5 min: <b>x</b>") is True
    (content,) = [e["content"] for e in await alice.replies_from(room_id, bot_id)]
    assert content["msgtype"] == "m.notice" and content["body"] == "Starting in 5 min: <b>x</b>"
    assert await bot.post("!nosuchroom:summit.test", "hello") is False
    left = await alice.create_room(invite=[])  # one the bot is not in
    assert await bot.post(left, "hello") is False


async def test_a_quiet_encrypted_room_takes_an_encrypted_post_after_a_restart(
        start_bot: BotFactory, alice_encrypting: EncryptedPerson) -> None:
    alice = alice_encrypting
    first = await start_bot(encryption=True)
    bot_id = first.client.user_id
    room_id = await alice.create_encrypted_room(invite=[bot_id])
    await alice.wait_joined(room_id, bot_id)

    async def synced() -> bool:  # the first bot's own sync has seen its join (else the
        return room_id in first.client.rooms  # resumed one brings it: a race, not a failure)

    await wait_until(synced, WAIT)
    await first.close()
    bot = await start_bot(encryption=True)
    assert room_id not in bot.client.rooms, "the resumed sync brought the room: test nothing"
    assert await bot.post(room_id, "Starting in 5 min") is True
    seen = await alice.wait_message(room_id, bot_id)
    assert seen.decrypted and seen.content["body"] == "Starting in 5 min"
    (event,) = await alice.raw_events_from(room_id, bot_id)
    assert event["type"] == "m.room.encrypted"
