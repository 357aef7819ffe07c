"""Fixtures: a real Synapse, people as matrix-nio clients, and the bot as a running task."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from nio import AsyncClient, LoginResponse, RoomCreateResponse, RoomSendResponse
from pydantic import SecretStr

from bot.commands import SummitService
from bot.config import MatrixConfig
from bot.platforms.matrix.backoff import Backoff
from bot.platforms.matrix.client import MatrixPlatform
from tests.matrix.synapse import Synapse

PASSWORD = "correct horse battery staple"
_counter = iter(range(10**6))


@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    python = os.environ.get("SYNAPSE_PYTHON")
    if not python or not Path(python).exists():
        if os.environ.get("REQUIRE_SYNAPSE") == "1":
            pytest.fail("REQUIRE_SYNAPSE=1 but SYNAPSE_PYTHON does not point at a Python "
                        "with Synapse installed")
        pytest.skip("set SYNAPSE_PYTHON to a Python with matrix-synapse to run these")
    server = Synapse(python, tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def unique(name: str) -> str:
    return f"{name}{next(_counter)}x{int(time.time() * 1000) % 100000}"


class Person:
    """A human in the tests: a logged-in nio client plus raw API helpers."""

    def __init__(self, client: AsyncClient, user_id: str):
        self.client = client
        self.user_id = user_id

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        async with aiohttp.ClientSession() as http, http.request(
                method, f"{self.client.homeserver}/_matrix/client/v3{path}", json=body,
                headers={"Authorization": f"Bearer {self.client.access_token}"}) as response:
            return await response.json()

    async def create_room(self, invite: list[str], direct: bool = False) -> str:
        response = await self.client.room_create(invite=invite, is_direct=direct)
        assert isinstance(response, RoomCreateResponse), response
        return response.room_id

    async def send(self, room_id: str, body: str, **content: Any) -> str:
        response = await self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": body, **content})
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    async def members(self, room_id: str) -> dict[str, Any]:
        return (await self.api("GET", f"/rooms/{room_id}/joined_members")).get("joined", {})

    async def messages(self, room_id: str) -> list[dict[str, Any]]:
        data = await self.api("GET", f"/rooms/{room_id}/messages?dir=b&limit=100")
        return list(reversed(data.get("chunk", [])))

    async def reply_to(self, room_id: str, event_id: str, sender: str,
                       timeout: float = 25.0) -> dict[str, Any]:
        """The bot's reply to one message, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in await self.messages(room_id):
                relates = event.get("content", {}).get("m.relates_to", {})
                if event.get("sender") == sender and \
                        relates.get("m.in_reply_to", {}).get("event_id") == event_id:
                    return event
            await asyncio.sleep(0.2)
        raise AssertionError(f"no reply to {event_id} within {timeout} s")

    async def replies_from(self, room_id: str, sender: str) -> list[dict[str, Any]]:
        return [e for e in await self.messages(room_id)
                if e.get("sender") == sender and e.get("type") == "m.room.message"]


async def wait_until(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("condition not met in time")


async def joined_room(alice: Person, bot: MatrixPlatform, timeout: float = 25.0) -> str:
    """A room Alice creates and invites the bot to, once the bot's own client has it (so
    its sync has seen the join, not only the server)."""
    room_id = await alice.create_room(invite=[bot.client.user_id])

    async def joined() -> bool:
        return room_id in bot.client.rooms and \
            bot.client.user_id in await alice.members(room_id)

    await wait_until(joined, timeout)
    return room_id


@pytest.fixture
async def person(synapse: Synapse) -> AsyncIterator[Callable[[str], Awaitable[Person]]]:
    clients: list[AsyncClient] = []

    async def make(name: str) -> Person:
        localpart = unique(name)
        user_id = synapse.register(localpart, PASSWORD)
        client = AsyncClient(synapse.url, user_id)
        response = await client.login(PASSWORD)
        assert isinstance(response, LoginResponse), response
        clients.append(client)
        return Person(client, user_id)

    yield make
    for client in clients:
        await client.close()


BotFactory = Callable[..., Awaitable[MatrixPlatform]]


@pytest.fixture
async def start_bot(synapse: Synapse, service: SummitService, tmp_path: Path
                    ) -> AsyncIterator[BotFactory]:
    running: list[tuple[MatrixPlatform, asyncio.Task[None]]] = []
    localpart = unique("summitbot")
    bot_id = synapse.register(localpart, PASSWORD)

    async def start(serving: SummitService | None = None, **options: Any) -> MatrixPlatform:
        config = MatrixConfig(homeserver=synapse.url, user_id=bot_id,
                              password=SecretStr(PASSWORD), state_dir=tmp_path / "state",
                              **options)
        bot = MatrixPlatform(serving or service, config, sync_timeout_ms=5_000,
                             backoff=Backoff(first=0.5, cap=4.0))
        task = asyncio.create_task(bot.run())
        running.append((bot, task))
        deadline = time.monotonic() + 20
        while not bot.connected:
            assert time.monotonic() < deadline, "the bot did not connect"
            assert not task.done(), task.exception() if task.done() else ""
            await asyncio.sleep(0.1)
        return bot

    start.user_id = bot_id  # type: ignore[attr-defined]
    yield start
    for bot, task in running:
        await bot.close()
        await asyncio.wait_for(task, 15)
