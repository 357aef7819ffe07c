"""An encrypting asker for the Matrix tests, as Element would be: a matrix-nio client with
end-to-end encryption (the ``e2e`` extra, vodozemac) and a store of its own.

nio's ``sync_forever`` does the crypto chores between syncs; this asker runs its own loop
(bounded, stoppable) that does the same after every sync: sends queued to-device messages,
uploads one-time keys when the server runs low, queries the device lists of users whose
devices changed (which is also what invalidates an outbound group session, so that a new
device gets the next one) and claims one-time keys for wedged sessions. Decrypted room
messages and the events it still cannot decrypt are kept per room; the latter are tried
again after every sync, since a room key may arrive after the message it opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    LocalProtocolError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomMessageText,
    RoomPreset,
    RoomSendResponse,
    SyncResponse,
)

TIMEOUT = 30.0  # every wait in here gives up after this long, by default
MEGOLM = "m.megolm.v1.aes-sha2"
ENCRYPTION_STATE: dict[str, Any] = {"type": "m.room.encryption", "state_key": "",
                                    "content": {"algorithm": MEGOLM}}


@dataclass(slots=True)
class Received:
    """A room message as this device read it (decrypted where it was encrypted)."""

    room_id: str
    event_id: str
    sender: str
    content: dict[str, Any]
    server_timestamp: int
    decrypted: bool

    @property
    def in_reply_to(self) -> str | None:
        relates = self.content.get("m.relates_to") or {}
        reply = relates.get("m.in_reply_to") or {}
        event_id = reply.get("event_id")
        return event_id if isinstance(event_id, str) else None


async def _until(check: Callable[[], Awaitable[bool] | bool], timeout: float, what: str,
                 every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while True:
        outcome = check()
        if not isinstance(outcome, bool):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(every)


class EncryptedPerson:
    """One device of a person: log in with :meth:`start`, stop with :meth:`close`.

    A second device of the same person is another ``EncryptedPerson`` with the same user
    id and password and another ``store`` (see :meth:`another_device`).
    """

    def __init__(self, homeserver: str, user_id: str, password: str, store: Path,
                 device_name: str = "Element (tests)"):
        store.mkdir(parents=True, exist_ok=True)
        self.user_id = user_id
        self.password = password
        self.store = store
        self.device_name = device_name
        self.client = AsyncClient(
            homeserver, user_id, store_path=str(store),
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True,
                                     request_timeout=20, max_timeouts=2))
        self.received: defaultdict[str, list[Received]] = defaultdict(list)
        self.undecrypted: defaultdict[str, list[MegolmEvent]] = defaultdict(list)
        self.errors: list[str] = []  # failed syncs and crypto chores, for failure messages
        self.syncs = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def device_id(self) -> str:
        return str(self.client.device_id)

    def another_device(self, store: Path, device_name: str = "Element (second)"
                       ) -> EncryptedPerson:
        """The same person on another device (a new login, not yet started)."""
        return EncryptedPerson(self.client.homeserver, self.user_id, self.password, store,
                               device_name)

    # --- life cycle -------------------------------------------------------------------
    async def start(self, timeout: float = TIMEOUT) -> None:
        """Log in, sync once, and have the device's keys on the server before returning."""
        response = await asyncio.wait_for(
            self.client.login(self.password, device_name=self.device_name), timeout)
        assert isinstance(response, LoginResponse), response
        assert self.client.olm is not None, "no crypto store: is matrix-nio[e2e] installed?"
        self.client.add_event_callback(self._on_message, (RoomMessageText, RoomMessageNotice))
        self.client.add_event_callback(self._on_undecryptable, MegolmEvent)
        self._task = asyncio.create_task(self._sync_loop())
        await self.wait_synced(timeout)
        await _until(lambda: bool(self.client.olm and self.client.olm.account.shared),
                     timeout, f"{self.user_id}/{self.device_id} uploading its device keys")

    async def close(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._task, timeout)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.client.close(), timeout)

    async def wait_synced(self, timeout: float = TIMEOUT) -> None:
        """Until one more sync (and its crypto chores) has completed."""
        target = self.syncs + 1
        task = self._task

        def synced() -> bool:
            if task is not None and task.done():
                raise AssertionError(f"the sync loop of {self.user_id} ended: "
                                     f"{task.exception() if not task.cancelled() else ''}")
            return self.syncs >= target

        await _until(synced, timeout, f"a sync of {self.user_id} ({self.errors[-3:]})")

    async def _sync_loop(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                response = await self.client.sync(timeout=0 if first else 1000,
                                                  full_state=True if first else None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server restarting, a timeout: try again
                response = exc
            if not isinstance(response, SyncResponse):
                self.errors.append(f"sync: {response!r}"[:300])
                await asyncio.sleep(0.5)
                continue
            first = False
            await self._crypto_chores()
            self._retry_undecrypted()
            self.syncs += 1

    async def _crypto_chores(self) -> None:
        """What ``sync_forever`` does between syncs for end-to-end encryption."""
        client = self.client
        chores: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("to-device", client.send_to_device_messages)]
        if client.should_upload_keys:
            chores.append(("keys_upload", client.keys_upload))
        if client.should_query_keys:
            chores.append(("keys_query", client.keys_query))
        if client.should_claim_keys:
            chores.append(("keys_claim",
                           lambda: client.keys_claim(client.get_users_for_key_claiming())))
        for name, chore in chores:
            try:
                await chore()
            except asyncio.CancelledError:
                raise
            except LocalProtocolError:
                pass  # nothing to do after all (another request did it meanwhile)
            except Exception as exc:
                self.errors.append(f"{name}: {exc!r}"[:300])

    # --- what this device reads -----------------------------------------------------------
    def _keep(self, room_id: str, event: RoomMessageText | RoomMessageNotice) -> None:
        if any(r.event_id == event.event_id for r in self.received[room_id]):
            return
        self.received[room_id].append(Received(
            room_id, event.event_id, event.sender,
            dict(event.source.get("content") or {}), int(event.server_timestamp),
            bool(getattr(event, "decrypted", False))))

    async def _on_message(self, room: MatrixRoom,
                          event: RoomMessageText | RoomMessageNotice) -> None:
        self._keep(room.room_id, event)

    async def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        self.undecrypted[room.room_id].append(event)

    def _retry_undecrypted(self) -> None:
        for room_id, events in self.undecrypted.items():
            for event in list(events):
                try:
                    decrypted = self.client.decrypt_event(event)
                except (EncryptionError, LocalProtocolError):
                    continue
                events.remove(event)
                if isinstance(decrypted, RoomMessageText | RoomMessageNotice):
                    self._keep(room_id, decrypted)

    # --- rooms ----------------------------------------------------------------------------
    async def _create(self, invite: list[str], direct: bool, encrypted: bool) -> str:
        response = await asyncio.wait_for(self.client.room_create(
            invite=invite, is_direct=direct,
            preset=RoomPreset.trusted_private_chat if direct else RoomPreset.private_chat,
            initial_state=[ENCRYPTION_STATE] if encrypted else []), TIMEOUT)
        assert isinstance(response, RoomCreateResponse), response
        room_id = str(response.room_id)
        await self.wait_room(room_id, encrypted=encrypted)
        return room_id

    async def create_encrypted_dm(self, bot_user_id: str) -> str:
        """A direct chat with encryption from its creation, as Element starts one."""
        return await self._create([bot_user_id], direct=True, encrypted=True)

    async def create_encrypted_room(self, invite: list[str]) -> str:
        return await self._create(list(invite), direct=False, encrypted=True)

    async def create_plain_room(self, invite: list[str]) -> str:
        return await self._create(list(invite), direct=False, encrypted=False)

    async def join(self, room_id: str, timeout: float = TIMEOUT) -> None:
        await _until(lambda: room_id in self.client.invited_rooms or
                     room_id in self.client.rooms, timeout, f"the invite to {room_id}")
        await asyncio.wait_for(self.client.join(room_id), timeout)
        await self.wait_joined(room_id, self.user_id, timeout)

    async def wait_room(self, room_id: str, encrypted: bool | None = None,
                        timeout: float = TIMEOUT) -> None:
        """Until this device's sync knows the room (and, if asked, that it is encrypted)."""
        def known() -> bool:
            room = self.client.rooms.get(room_id)
            return room is not None and (encrypted is None or room.encrypted == encrypted)

        await _until(known, timeout, f"{self.user_id} seeing room {room_id}")

    async def wait_joined(self, room_id: str, user_id: str, timeout: float = TIMEOUT) -> None:
        """Until ``user_id`` has joined, as this device's own sync sees the room: the
        members it shares room keys with are the ones it knows."""
        def joined() -> bool:
            room = self.client.rooms.get(room_id)
            return room is not None and user_id in room.users \
                and user_id not in room.invited_users

        await _until(joined, timeout, f"{user_id} joining {room_id} (seen by {self.user_id})")

    # --- keys -----------------------------------------------------------------------------
    def devices_of(self, user_id: str) -> list[Any]:
        return list(self.client.device_store.active_user_devices(user_id))

    async def wait_devices(self, user_id: str, count: int = 1,
                           timeout: float = TIMEOUT) -> list[Any]:
        """Query ``user_id``'s device keys until at least ``count`` devices are known."""
        olm = self.client.olm
        assert olm is not None

        async def known() -> bool:
            if len(self.devices_of(user_id)) >= count:
                return True
            olm.users_for_key_query.add(user_id)
            with contextlib.suppress(LocalProtocolError):
                await self.client.keys_query()
            return len(self.devices_of(user_id)) >= count

        await _until(known, timeout, f"{count} device(s) of {user_id} known to "
                                     f"{self.user_id}/{self.device_id}", every=0.3)
        return self.devices_of(user_id)

    async def withhold_keys_from(self, user_id: str) -> None:
        """Never share a room key with ``user_id``'s devices (they are blacklisted here):
        what they are sent in an encrypted room they cannot decrypt."""
        for device in await self.wait_devices(user_id):
            self.client.blacklist_device(device)

    def shared_with(self, room_id: str) -> set[tuple[str, str]]:
        """(user, device) pairs the current outbound room key of ``room_id`` went to."""
        olm = self.client.olm
        session = olm.outbound_group_sessions.get(room_id) if olm is not None else None
        return set(session.users_shared_with) if session is not None else set()

    # --- messages -------------------------------------------------------------------------
    async def send_encrypted(self, room_id: str, body: str,
                             wait_for: Iterable[str] | None = None, **content: Any) -> str:
        """Send an encrypted ``m.text``; returns its event id.

        First, every other member of the room (or the users in ``wait_for``) must have a
        device whose keys this device knows: a room key is shared only with the devices
        known when the message is sent.
        """
        await self.wait_room(room_id, encrypted=True)
        room = self.client.rooms[room_id]
        others = [u for u in room.users if u != self.user_id] if wait_for is None \
            else list(wait_for)
        for user_id in others:
            await self.wait_devices(user_id)
        response = await asyncio.wait_for(self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": body, **content},
            ignore_unverified_devices=True), TIMEOUT)
        assert isinstance(response, RoomSendResponse), response
        return str(response.event_id)

    async def send_plain(self, room_id: str, body: str, **content: Any) -> str:
        await self.wait_room(room_id, encrypted=False)
        response = await asyncio.wait_for(self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": body, **content}),
            TIMEOUT)
        assert isinstance(response, RoomSendResponse), response
        return str(response.event_id)

    async def wait_message(self, room_id: str, sender: str,
                           match: Callable[[Received], bool] = lambda _: True,
                           timeout: float = TIMEOUT) -> Received:
        """The first message from ``sender`` in the room that this device could read and
        that ``match`` accepts."""
        found: list[Received] = []

        def seen() -> bool:
            found[:] = [r for r in self.received[room_id] if r.sender == sender and match(r)]
            return bool(found)

        try:
            await _until(seen, timeout, "")
        except AssertionError:
            locked = [e.event_id for e in self.undecrypted[room_id] if e.sender == sender]
            raise AssertionError(
                f"{self.user_id}/{self.device_id}: no readable message from {sender} in "
                f"{room_id} within {timeout} s; undecryptable from them: {locked}; read: "
                f"{[(r.sender, r.content.get('body', '')[:60]) for r in self.received[room_id]]}"
                f"; errors: {self.errors[-3:]}") from None
        return found[0]

    async def wait_reply(self, room_id: str, after_event_id: str, sender: str,
                         timeout: float = TIMEOUT) -> dict[str, Any]:
        """The decrypted content of ``sender``'s reply to ``after_event_id``."""
        reply = await self.wait_message(
            room_id, sender, lambda r: r.in_reply_to == after_event_id, timeout)
        return reply.content

    async def raw_events(self, room_id: str) -> list[dict[str, Any]]:
        """The room's timeline as the server keeps it (oldest first): what anyone without
        the keys, the server included, sees."""
        url = f"{self.client.homeserver}/_matrix/client/v3/rooms/{room_id}/messages"
        async with aiohttp.ClientSession() as http, http.get(
                url, params={"dir": "b", "limit": "200"},
                headers={"Authorization": f"Bearer {self.client.access_token}"},
                timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as response:
            data = await response.json()
        assert response.status == 200, data
        return list(reversed(data.get("chunk", [])))

    async def raw_events_from(self, room_id: str, sender: str) -> list[dict[str, Any]]:
        """Every message-like event ``sender`` sent in the room (no state, no receipts)."""
        return [e for e in await self.raw_events(room_id)
                if e.get("sender") == sender and "state_key" not in e]
