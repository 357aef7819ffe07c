"""What goes wrong with the bot's encryption, against a real Synapse: each fault stops the
Matrix platform with one sentence that says what happened and what to do (``run()`` raises
:class:`MatrixFatal`; ``serve`` logs its text, no traceback), before anything is uploaded
for a device whose keys are not ours. And a reaction on an encrypted answer, which Element
sends encrypted, is a vote like any other.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from nio import AsyncClient, AsyncClientConfig, KeysUploadResponse, LoginResponse
from pydantic import SecretStr

from bot.commands import SummitService
from bot.config import MatrixConfig
from bot.platforms.matrix.backoff import Backoff
from bot.platforms.matrix.client import MatrixPlatform
from bot.platforms.matrix.errors import MatrixFatal
from tests.matrix.conftest import PASSWORD, BotFactory, unique
from tests.matrix.encrypted import TIMEOUT, EncryptedPerson, _until
from tests.matrix.synapse import Synapse
from tests.matrix.test_matrix_encrypted import CRUSH, AskerFactory, asker, encrypted_dm

__all__ = ["asker"]  # the fixture, imported for the reaction tests

FATAL_WITHIN = 15.0  # seconds: a fault stops run() in a few; past this, it is retrying


# --- helpers ----------------------------------------------------------------------------------
class KeptRetrying(AssertionError):
    """run() did not stop: it took the fault for one that may pass."""


def platform(service: SummitService, synapse: Synapse, user_id: str, **options: Any
             ) -> MatrixPlatform:
    """The bot as ``start_bot`` makes it, but not started: a fault never connects."""
    options.setdefault("password", SecretStr(PASSWORD))
    config = MatrixConfig(homeserver=synapse.url, user_id=user_id, encryption=True,
                          **options)
    return MatrixPlatform(service, config, sync_timeout_ms=5_000,
                          backoff=Backoff(first=0.5, cap=4.0))


async def stops_with(bot: MatrixPlatform, caplog: pytest.LogCaptureFixture) -> str:
    """Run the platform until it gives up; its sentence, checked to be one line."""
    caplog.set_level(logging.WARNING, logger="bot.platforms.matrix.client")
    task = asyncio.create_task(bot.run())
    try:
        await asyncio.wait_for(asyncio.shield(task), FATAL_WITHIN)
    except MatrixFatal as exc:
        sentence = str(exc)
    except TimeoutError:
        retried = [r.getMessage() for r in caplog.records][-3:]
        raise KeptRetrying(f"run() did not stop within {FATAL_WITHIN} s; it kept "
                             f"retrying: {retried}") from None
    else:
        raise AssertionError("run() returned without a MatrixFatal")
    finally:
        await bot.close()
        if not task.done():
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert sentence.startswith("matrix"), sentence
    assert "\n" not in sentence and "Traceback" not in sentence, sentence
    assert not bot.connected and bot.sync_attempts == 0, "it synced (and uploaded keys)"
    return sentence


async def device_keys(homeserver: str, token: str, user_id: str) -> dict[str, Any]:
    """The server's record of ``user_id``'s devices' keys (``/keys/query``)."""
    async with aiohttp.ClientSession() as http, http.post(
            f"{homeserver}/_matrix/client/v3/keys/query",
            json={"device_keys": {user_id: []}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as response:
        data = await response.json()
    assert response.status == 200, data
    return dict(data.get("device_keys", {}).get(user_id) or {})


async def one_time_key_count(homeserver: str, token: str) -> dict[str, int]:
    """How many one-time keys the token's device has on the server (an empty upload)."""
    async with aiohttp.ClientSession() as http, http.post(
            f"{homeserver}/_matrix/client/v3/keys/upload", json={},
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as response:
        data = await response.json()
    assert response.status == 200, data
    return dict(data.get("one_time_key_counts") or {})


async def another_clients_session(synapse: Synapse, user_id: str, store: Path
                                  ) -> tuple[str, str]:
    """Log in as ``user_id`` with a plain encrypting nio client that uploads its device
    keys (as Element would); its (device id, access token)."""
    store.mkdir(parents=True, exist_ok=True)
    client = AsyncClient(synapse.url, user_id, store_path=str(store),
                         config=AsyncClientConfig(encryption_enabled=True))
    try:
        response = await client.login(PASSWORD, device_name="Element (copied)")
        assert isinstance(response, LoginResponse), response
        uploaded = await client.keys_upload()
        assert isinstance(uploaded, KeysUploadResponse), uploaded
        return str(response.device_id), str(response.access_token)
    finally:
        await client.close()  # the session stays: the token is still good


def crypto_store(state_dir: Path) -> Path:
    """The device's encryption store (nio's ``<user>_<device>.db``)."""
    (store,) = state_dir.glob("*.db")
    return store


async def first_run(start_bot: BotFactory) -> tuple[MatrixPlatform, dict[str, Any]]:
    """Start the bot (password login), wait for its device keys to be on the server, close
    it; the bot and the server's record of its device."""
    bot = await start_bot(encryption=True)

    def shared() -> bool:
        return bool(bot.client.olm and bot.client.olm.account.shared)

    await _until(shared, TIMEOUT, "the bot uploading its device keys")
    token, user_id = bot.client.access_token, str(bot.client.user_id)
    await bot.close()
    known = await device_keys(bot.config.homeserver or "", token, user_id)
    assert str(bot.client.device_id) in known, known
    return bot, known


# --- faults -----------------------------------------------------------------------------------
async def test_a_token_from_another_clients_session_is_refused(
        synapse: Synapse, service: SummitService, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    bot_id = synapse.register(unique("summitbot"), PASSWORD)
    device_id, token = await another_clients_session(synapse, bot_id, tmp_path / "element")
    before = await device_keys(synapse.url, token, bot_id)
    assert device_id in before
    bot = platform(service, synapse, bot_id, password=None, access_token=SecretStr(token),
                   state_dir=tmp_path / "fresh")
    sentence = await stops_with(bot, caplog)
    assert f"the access token belongs to device {device_id}" in sentence, sentence
    assert "already has encryption keys from another client" in sentence, sentence
    assert "give summit-bot a password (MATRIX_PASSWORD) or a token from a fresh login" \
        in sentence, sentence
    assert await device_keys(synapse.url, token, bot_id) == before  # the other's keys stand


async def test_a_store_that_no_longer_matches_the_server_is_refused(
        start_bot: BotFactory, service: SummitService, synapse: Synapse,
        caplog: pytest.LogCaptureFixture) -> None:
    first, before = await first_run(start_bot)
    state_dir = first.config.state_dir
    assert state_dir is not None
    device_id, token = str(first.client.device_id), first.client.access_token
    one_time_before = await one_time_key_count(synapse.url, token)
    store = crypto_store(state_dir)
    for path in [store, *state_dir.glob(store.name + "-*")]:
        path.unlink()  # the store is gone; matrix-session.json (device, token) is kept
    assert (state_dir / "matrix-session.json").exists()
    bot = platform(service, synapse, str(first.client.user_id), state_dir=state_dir)
    sentence = await stops_with(bot, caplog)
    assert bot.client.device_id == device_id  # it did reuse the device, and noticed
    assert f"the encryption store in {state_dir} does not match device {device_id} on the " \
        "server (its keys differ)" in sentence, sentence
    assert f"to reset, move {state_dir} aside and start again" in sentence, sentence
    assert "a password is needed" in sentence, sentence
    # nothing was uploaded for the old device: not its keys, not one-time keys
    assert await device_keys(synapse.url, token, str(first.client.user_id)) == before
    assert await one_time_key_count(synapse.url, token) == one_time_before


@pytest.mark.parametrize("login", ["saved-login", "access-token"])
async def test_a_corrupt_store_is_one_sentence(
        start_bot: BotFactory, service: SummitService, synapse: Synapse,
        caplog: pytest.LogCaptureFixture, login: str) -> None:
    """Garbage where the store was. With the login the last run saved (a password
    configured: the usual set-up), and with an access token configured."""
    first, _ = await first_run(start_bot)
    state_dir = first.config.state_dir
    assert state_dir is not None
    crypto_store(state_dir).write_bytes(b"\x00garbage, not SQLite\xff" * 512)
    options: dict[str, Any] = {} if login == "saved-login" else {
        "password": None, "access_token": SecretStr(first.client.access_token)}
    bot = platform(service, synapse, str(first.client.user_id), state_dir=state_dir,
                   **options)
    sentence = await stops_with(bot, caplog)
    assert f"the encryption store in {state_dir} cannot be opened" in sentence, sentence
    assert "move it aside to start a new device" in sentence, sentence


async def test_a_state_folder_that_cannot_be_made_is_one_sentence(
        synapse: Synapse, service: SummitService, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """Root writes anywhere, so the folder is made impossible another way: its parent is a
    regular file (mkdir fails with ENOTDIR)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be\n")
    folder = blocker / "matrix"
    bot = platform(service, synapse, synapse.register(unique("summitbot"), PASSWORD),
                   state_dir=folder)
    sentence = await stops_with(bot, caplog)
    assert f"the state folder {folder} cannot be used" in sentence, sentence
    assert "set matrix.state_dir to a folder the bot's user can create and write" in sentence, \
        sentence
    assert blocker.read_text() == "a file where a folder should be\n"


async def test_an_unreadable_pickle_key_file_is_one_sentence(
        synapse: Synapse, service: SummitService, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    missing = tmp_path / "secrets" / "pickle.key"
    bot = platform(service, synapse, synapse.register(unique("summitbot"), PASSWORD),
                   state_dir=tmp_path / "state", pickle_key_file=missing)
    sentence = await stops_with(bot, caplog)
    assert f"matrix.pickle_key_file {missing} cannot be read" in sentence, sentence
    assert "No such file or directory" in sentence, sentence
    assert not (tmp_path / "state" / "pickle.key").exists()  # no key made instead


# --- a reaction, encrypted as Element sends it ---------------------------------------------
async def send_encrypted_reaction(alice: EncryptedPerson, room_id: str, event_id: str,
                                  key: str, relation_inside: bool) -> str:
    """An ``m.reaction`` sent as ``m.room.encrypted``. nio's ``room_send`` sends reactions
    in the clear, so the content is encrypted here (``client.encrypt``) and PUT as it is.
    The relation is always in the clear (servers aggregate by it); Element (matrix-js-sdk)
    leaves it out of the ciphertext, nio's ``encrypt`` keeps a copy inside too."""
    relation = {"rel_type": "m.annotation", "event_id": event_id, "key": key}
    inner: dict[str, Any] = {"m.relates_to": relation} if relation_inside else {}
    kind, content = alice.client.encrypt(room_id, "m.reaction", inner)
    assert kind == "m.room.encrypted"
    content["m.relates_to"] = relation
    url = (f"{alice.client.homeserver}/_matrix/client/v3/rooms/{room_id}/send/"
           f"m.room.encrypted/{uuid.uuid4()}")
    async with aiohttp.ClientSession() as http, http.put(
            url, json=content,
            headers={"Authorization": f"Bearer {alice.client.access_token}"},
            timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as response:
        data = await response.json()
    assert response.status == 200, data
    return str(data["event_id"])


@pytest.mark.parametrize("relation_inside", [False, True],
                         ids=["relation-in-the-clear-only", "relation-also-encrypted"])
async def test_a_thumbs_down_on_an_encrypted_answer_is_a_vote(
        start_bot: BotFactory, asker: AskerFactory, feedback_service: SummitService,
        relation_inside: bool) -> None:
    bot = await start_bot(feedback_service, encryption=True)
    alice = await asker("alice")
    dm = await encrypted_dm(alice, bot)
    asked = await alice.send_encrypted(dm, CRUSH)
    reply = await alice.wait_message(dm, bot.client.user_id, lambda r: r.in_reply_to == asked)
    assert reply.decrypted
    store = feedback_service.feedback
    assert store is not None

    async def linked() -> bool:  # the reply's event id is linked to its answer
        return await feedback_service.answer_for_message(f"matrix:{reply.event_id}") \
            is not None

    await _until(linked, TIMEOUT, "the answer linked to the bot's reply")
    answer_id = await feedback_service.answer_for_message(f"matrix:{reply.event_id}")
    reaction = await send_encrypted_reaction(alice, dm, reply.event_id, "👎️",
                                             relation_inside)
    (raw,) = [e for e in await alice.raw_events(dm) if e["event_id"] == reaction]
    assert raw["type"] == "m.room.encrypted", raw  # sent encrypted, as Element does

    async def votes() -> list[tuple[str, str]]:
        found = await store.read(lambda conn: conn.execute(
            "SELECT vote, platform FROM votes WHERE answer_id = ?", (answer_id,)).fetchall())
        return [(str(v), str(p)) for v, p in found or []]

    deadline = time.monotonic() + TIMEOUT
    while not await votes() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert await votes() == [("down", "matrix")], "the encrypted 👎 was not counted"
    await asyncio.sleep(1.0)  # nothing said in the room for a vote
    said = [r for r in alice.received[dm] if r.sender == bot.client.user_id]
    assert [r.event_id for r in said] == [reply.event_id], [r.content for r in said]
