"""``summit-bot serve`` as a real process on Discord: configured only by the environment,
pointed at the fake API by ``DISCORD_API_BASE_URL`` / ``DISCORD_GATEWAY_URL``, it logs in,
registers the commands, answers ``/ask`` on the wire, never logs its token and stops
cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.discord.fake_discord import TOKEN, FakeDiscord
from tests.ops.conftest import clean_env, summit_bot

EPHEMERAL = 64


class ServeOnDiscord:
    """The serve process plus its stderr, collected without blocking the event loop."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.log: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for line in self.proc.stderr:
            self.log.append(line.decode(errors="replace").rstrip("\n"))

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.proc.wait(), 20)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._reader, 5)
        return code


@pytest.fixture
async def serving(tmp_path: Path, corpus_index: Path, corpus_copy: Path
                  ) -> AsyncIterator[tuple[FakeDiscord, ServeOnDiscord]]:
    fake = FakeDiscord()
    await fake.start()
    db = tmp_path / "data" / "index.sqlite3"
    db.parent.mkdir()
    shutil.copy(corpus_index, db)
    env = clean_env(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=fake.api_base,
                    DISCORD_GATEWAY_URL=fake.gateway_url, SUMMIT_BOT_DB=str(db),
                    SUMMIT_BOT_CORPUS=str(corpus_copy), SUMMIT_BOT_LOG_LEVEL="DEBUG")
    proc = await asyncio.create_subprocess_exec(
        *summit_bot(), "serve", env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    served = ServeOnDiscord(proc)
    try:
        await fake.wait_until(lambda: bool(fake.identifies), timeout=30)
        yield fake, served
    finally:
        await served.stop()
        await fake.stop()


async def test_serve_answers_ask_over_the_wire_and_never_logs_its_token(
        serving: tuple[FakeDiscord, ServeOnDiscord]) -> None:
    fake, served = serving
    put = await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"),
                              timeout=20)
    assert {c["name"] for c in put.json} == {"ask", "session", "sessions", "reload", "report",
                                             "schedule", "now", "next", "speaker", "remind",
                                             "reminders", "agenda"}
    sent = await fake.interact(fake.slash("ask", question="what is CRUSH in ceph?"),
                               timeout=20)
    assert sent.json["type"] == 4
    data = sent.json["data"]
    assert data["allowed_mentions"] == {"parse": []}
    assert data["embeds"][0]["title"] == "Storing VMs with Cinder and Ceph RBD"
    miss = await fake.interact(fake.slash("session", title="no such talk at all"))
    assert miss.json["data"]["flags"] & EPHEMERAL
    assert await served.stop() == 0
    text = "\n".join(served.log)
    assert "Discord REST API at http://127.0.0.1" in text
    assert TOKEN not in text  # not even at DEBUG


async def test_serve_rehearsing_delivers_a_reminder_by_direct_message(
        tmp_path: Path) -> None:
    """``/remind`` picked from its autocomplete, on a real serve process rehearsing the
    summit (SUMMIT_BOT_NOW seconds before a talk): the DM channel is opened, the
    confirmation and then the reminder are posted to it, once."""
    from tests.discord.fake_discord import ALICE
    from tests.schedule.sample import write_sample

    fake = FakeDiscord()
    await fake.start()
    write_sample(tmp_path / "programme")
    env = clean_env(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=fake.api_base,
                    DISCORD_GATEWAY_URL=fake.gateway_url,
                    SUMMIT_BOT_DB=str(tmp_path / "data" / "index.sqlite3"),
                    SUMMIT_BOT_CORPUS=str(tmp_path / "programme"),
                    SUMMIT_BOT_NOW="2030-06-01T09:59:52+02:00")  # 8 s before the Ceph talk
    proc = await asyncio.create_subprocess_exec(
        *summit_bot(), "serve", env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    served = ServeOnDiscord(proc)
    try:
        await fake.wait_until(lambda: bool(fake.identifies), timeout=30)
        picked = await fake.interact(fake.autocomplete("remind", "session", "ceph"),
                                     timeout=20)
        first = picked.json["data"]["choices"][0]
        assert first["name"] == "Storage at Scale with Ceph · Sat 1 Jun 10:00 · Saal 1"
        payload = fake.slash("remind", session=first["value"], minutes=0)
        deferred = await fake.interact(payload)
        assert deferred.json["type"] == 5 and deferred.json["data"]["flags"] & EPHEMERAL
        reply = await fake.webhook(payload, "PATCH")
        assert reply.json["content"].startswith(
            "Set: I will remind you 0 min before Storage at Scale with Ceph")
        alice = ALICE["id"]
        await fake.wait_until(lambda: len(fake.dm_posts(alice)) >= 2, timeout=30)
        confirmation, reminder = fake.dm_posts(alice)[:2]
        assert confirmation.json["content"].startswith("I will remind you here 0 min before")
        assert reminder.json["content"].startswith(
            "Reminder: Storage at Scale with Ceph starts")
        assert reminder.json["allowed_mentions"] == {"parse": []}
        assert reminder.json["nonce"] and reminder.json["enforce_nonce"] is True
        await asyncio.sleep(1)
        assert len(fake.dm_posts(alice)) == 2  # once
        assert await served.stop() == 0
        assert TOKEN not in "\n".join(served.log)
    finally:
        await served.stop()
        await fake.stop()
