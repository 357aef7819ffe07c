"""``summit-bot serve`` as a real process on Matrix, configured by the environment alone:
it logs in with a password, keeps its device across a restart, joins when invited,
answers ``!ask`` and never logs its password or access token."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
from pathlib import Path

from nio import AsyncClient, LoginResponse

from tests.discord.test_serve_process import ServeOnDiscord as ServeProcess
from tests.matrix.conftest import PASSWORD, Person, unique, wait_until
from tests.matrix.synapse import Synapse
from tests.matrix.test_matrix_bot import room_with_bot
from tests.ops.conftest import clean_env, summit_bot


async def _serve(env: dict[str, str]) -> ServeProcess:
    proc = await asyncio.create_subprocess_exec(
        *summit_bot(), "serve", env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    return ServeProcess(proc)


async def _wait_log(served: ServeProcess, needle: str, timeout: float = 30) -> None:
    async def seen() -> bool:
        if served.proc.returncode is not None:
            raise AssertionError("serve exited:\n" + "\n".join(served.log[-30:]))
        return any(needle in line for line in served.log)

    await wait_until(seen, timeout)


async def test_serve_on_matrix_answers_and_keeps_its_device(
        synapse: Synapse, person, tmp_path: Path, corpus_index: Path,  # type: ignore[no-untyped-def]
        corpus_copy: Path) -> None:
    bot_id = synapse.register(unique("servebot"), PASSWORD)
    db = tmp_path / "data" / "index.sqlite3"
    db.parent.mkdir()
    shutil.copy(corpus_index, db)
    env = clean_env(MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=bot_id,
                    MATRIX_PASSWORD=PASSWORD, MATRIX_STATE_DIR=str(tmp_path / "state"),
                    SUMMIT_BOT_DB=str(db), SUMMIT_BOT_CORPUS=str(corpus_copy),
                    SUMMIT_BOT_LOG_LEVEL="DEBUG")
    alice: Person = await person("alice")
    logs: list[str] = []
    for run in range(2):
        served = await _serve(env)
        try:
            await _wait_log(served, "matrix: connected as")
            if run == 0:
                room_id = await room_with_bot(alice, bot_id)
            asked = await alice.send(room_id, "!ask what did the ceph talk say about crush?")
            reply = await alice.reply_to(room_id, asked, bot_id)
            assert reply["content"]["msgtype"] == "m.notice"
            assert "pseudo-random placement" in reply["content"]["body"]
        finally:
            with contextlib.suppress(ProcessLookupError):
                served.proc.send_signal(signal.SIGTERM)
            assert await served.stop() == 0
            logs.extend(served.log)
    replies = await alice.replies_from(room_id, bot_id)
    assert len(replies) == 2  # one answer per question, none answered again on restart
    text = "\n".join(logs)
    assert "matrix: reusing device" in text  # the second start did not log in again
    assert PASSWORD not in text
    saved = json.loads((tmp_path / "state" / "matrix-session.json").read_text())
    assert saved["access_token"] not in text
    check = AsyncClient(synapse.url, bot_id)
    try:
        assert isinstance(await check.login(PASSWORD), LoginResponse)
        devices = (await Person(check, bot_id).api("GET", "/devices"))["devices"]
        # serve logs in as device "summit-bot": two starts, one device
        assert [d["display_name"] for d in devices].count("summit-bot") == 1, devices
    finally:
        await check.logout()
        await check.close()


async def test_serve_rehearsing_reminds_an_encrypting_client_in_an_encrypted_direct_chat(
        synapse: Synapse, tmp_path: Path) -> None:
    """A real serve process (encryption on, as by default), rehearsing the summit 25 s before
    a talk: ``!remind 0`` in an encrypted room opens an encrypted direct chat, and the
    reminder arrives there when the talk starts, decrypted by the person's own client."""
    from tests.matrix.encrypted import EncryptedPerson
    from tests.matrix.test_matrix_reminders import direct_invite
    from tests.schedule.sample import write_sample

    bot_id = synapse.register(unique("remindbot"), PASSWORD)
    write_sample(tmp_path / "programme")
    env = clean_env(MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=bot_id,
                    MATRIX_PASSWORD=PASSWORD, MATRIX_STATE_DIR=str(tmp_path / "state"),
                    SUMMIT_BOT_DB=str(tmp_path / "data" / "index.sqlite3"),
                    SUMMIT_BOT_CORPUS=str(tmp_path / "programme"),
                    SUMMIT_BOT_NOW="2030-06-01T09:59:35+02:00")  # the Ceph talk is at 10:00
    alice = EncryptedPerson(synapse.url, synapse.register(unique("alice"), PASSWORD),
                            PASSWORD, tmp_path / "alice")
    await alice.start()
    served = await _serve(env)
    try:
        await _wait_log(served, "matrix: connected as")
        room_id = await alice.create_encrypted_room(invite=[bot_id])
        await alice.wait_joined(room_id, bot_id)
        asked = await alice.send_encrypted(room_id, "!remind 0 ceph storage")
        reply = await alice.wait_reply(room_id, asked, bot_id)
        assert reply["body"].startswith(
            "Set: I will remind you 0 min before Storage at Scale with Ceph"), reply["body"]
        dm = await direct_invite(alice.client)
        await alice.join(dm)
        reminder = await alice.wait_message(
            dm, bot_id, lambda r: r.content.get("body", "").startswith("Reminder: "),
            timeout=60)
        assert reminder.decrypted
        assert reminder.content["body"].startswith(
            "Reminder: Storage at Scale with Ceph starts")
        assert reminder.content["msgtype"] == "m.notice"
    finally:
        with contextlib.suppress(ProcessLookupError):
            served.proc.send_signal(signal.SIGTERM)
        code = await served.stop()
        await alice.close()
    assert code == 0
    assert PASSWORD not in "\n".join(served.log)
