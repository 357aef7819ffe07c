"""The Matrix platform: a matrix-nio client that turns room messages into commands and
command results into ``m.notice`` replies.

The sync loop is ours, not nio's ``sync_forever``: every failure waits with exponential
backoff and jitter, so a homeserver outage costs a handful of requests and the bot comes
back by itself when the server does.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    Event,
    InviteMemberEvent,
    LocalProtocolError,
    LoginResponse,
    MatrixInvitedRoom,
    MatrixRoom,
    MegolmEvent,
    ProfileGetError,
    ReactionEvent,
    RoomCreateResponse,
    RoomGetStateResponse,
    RoomMessageText,
    RoomPreset,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)
from nio.store import DefaultStore, SqliteMemoryStore

from bot.commands import Notice, Requester, SummitService
from bot.commands.results import Agenda, AnswerReply, ReminderList, Reply, ReportReply
from bot.commands.table import BY_NAME, Call
from bot.config import MatrixConfig
from bot.feedback.store import Vote
from bot.platforms.matrix import state
from bot.platforms.matrix.backoff import Backoff
from bot.platforms.matrix.crosssign import cross_sign_device
from bot.platforms.matrix.crypto import CryptoStoreError, pickle_key, prepare_folder, tighten
from bot.platforms.matrix.direct import (
    ENCRYPTION_STATE,
    RoomMembers,
    adopt,
    http_status,
    members_of,
)
from bot.platforms.matrix.errors import FATAL_LOGIN_CODES, MatrixFatal, MatrixRetryable
from bot.platforms.matrix.parse import Request, parse_request
from bot.platforms.matrix.render import render_content, reply_relation
from bot.reminders.delivery import Delivery

log = logging.getLogger(__name__)

ENCRYPTED_NOTICE = ("I can't read encrypted rooms (encryption is turned off for me), so I "
                    "can't see questions asked here; please ask me in an unencrypted room.")
UNDECRYPTABLE_NOTICE = ("I couldn't read your last message: its key never reached me. "
                        "Please send it again.")
UNDECRYPTABLE_EVERY_SECONDS = 3600.0  # the notice above, at most once an hour per room
HELD_AT_MOST = 300  # encrypted messages waiting for their key
FAILURE = "Something went wrong while answering; the error is logged for the admins."
STALE_AFTER_MS = 5 * 60 * 1000  # a question this old (e.g. sent during an outage) is left
SYNC_TOKEN_EVERY_SECONDS = 5.0  # how often the sync token is saved (and at close)
LARGE_ROOM_MEMBERS = 25  # above this, !report shows its figures only (the list by DM)
VOTE_KEYS: dict[str, Vote] = {"👍": "up", "👎": "down"}
LIST_PAGE_SIZE = 20  # a room message has no page buttons: list more at once
ICS_TYPE = "text/calendar"
UPLOAD_SECONDS = 60.0  # nio uploads with no timeout of their own
REMEMBERED_EVENTS = 2048  # event ids answered, so a redelivered event is not answered twice


class MatrixPlatform:
    name = "matrix"

    def __init__(self, service: SummitService, config: MatrixConfig, *,
                 sync_timeout_ms: int = 30_000, backoff: Backoff | None = None):
        if not (config.homeserver and config.user_id):
            raise ValueError("matrix.homeserver and matrix.user_id are required")
        self.service = service
        self.config = config
        self.sync_timeout_ms = sync_timeout_ms
        self.backoff = backoff or Backoff()
        self.encryption = config.encryption
        keep = self.encryption and config.state_dir is not None
        self.client = AsyncClient(
            config.homeserver, config.user_id,
            store_path=str(config.state_dir) if keep else "",
            config=AsyncClientConfig(
                max_timeouts=0, max_limit_exceeded=3,
                request_timeout=sync_timeout_ms / 1000 + 30, store_sync_tokens=False,
                encryption_enabled=self.encryption,
                store=DefaultStore if keep else SqliteMemoryStore))
        self.sync_attempts = 0  # every /sync request, for health checks and tests
        self._connected = False
        self._stop = asyncio.Event()
        self._started_ms = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._warned_encrypted: set[str] = set()
        self._direct: dict[str, bool] = {}  # room id -> invited as a direct chat
        # people who left or turned down the direct chat the bot opened (until a restart,
        # or until they open one themselves): not invited again for every reminder
        self._declined: set[str] = set()
        self._direct_people: dict[str, str] = {}  # direct room id -> the person in it
        # one direct chat opened at a time per person (two reminders at once: one room)
        self._opening: weakref.WeakValueDictionary[str, asyncio.Lock] = \
            weakref.WeakValueDictionary()
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._token_saved_at = float("-inf")
        self._connected_once = False
        self._warned_token = False
        # encrypted messages whose key has not arrived: event id -> (room, event, held at)
        self._held: OrderedDict[str, tuple[MatrixRoom, MegolmEvent, float]] = OrderedDict()
        self._told_undecryptable: dict[str, float] = {}  # room id -> when last said
        self._crypto_failing = False
        self._cross_signing_tried = False
        self._server_clock_ms = 2000.0  # our clock minus the server's, as events show it

    @property
    def connected(self) -> bool:
        return self._connected

    # --- life cycle -------------------------------------------------------------------
    async def _login(self) -> None:
        cfg = self.config
        assert cfg.homeserver and cfg.user_id
        if cfg.access_token is not None:
            self.client.access_token = cfg.access_token.get_secret_value()
            self.client.user_id = cfg.user_id
            who = await self.client.whoami()
            if isinstance(who, WhoamiResponse) and who.device_id:
                self.client.device_id = who.device_id
            if self.encryption:
                if not self.client.device_id:
                    raise MatrixRetryable("matrix: the server did not say which device the "
                                          "access token belongs to")
                self._open_store()
            return
        saved = state.load(cfg.state_dir, cfg.homeserver, cfg.user_id)
        if saved is not None:
            with self._store_errors():  # nio opens the store as it restores the login
                self.client.restore_login(saved.user_id, saved.device_id,
                                          saved.access_token)
            who = await self.client.whoami()
            if isinstance(who, WhoamiResponse):
                log.info("matrix: reusing device %s", saved.device_id)
                return
            log.info("matrix: saved login no longer valid; logging in again")
            state.forget(cfg.state_dir)
        if cfg.password is None:
            raise MatrixFatal("matrix: set MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD")
        with self._store_errors():  # and as it takes a login's answer
            response = await self.client.login(password=cfg.password.get_secret_value(),
                                               device_name=cfg.device_name)
        if not isinstance(response, LoginResponse):
            message = getattr(response, "message", response)
            why = f"matrix: login as {cfg.user_id} failed ({message})"
            if getattr(response, "status_code", None) in FATAL_LOGIN_CODES:
                raise MatrixFatal(why)
            raise MatrixRetryable(why)  # rate limited, or the server is not itself yet
        state.save(cfg.state_dir, state.SavedLogin(cfg.homeserver, cfg.user_id,
                                                   response.device_id,
                                                   response.access_token))
        if self.encryption:
            self._open_store()

    def _prepare_crypto(self) -> None:
        """The state folder made owner-only and the store's key read or made, before
        anything is written there; a problem is one sentence that stops the platform."""
        folder = self.config.state_dir
        try:
            if folder is not None:
                prepare_folder(folder)
            else:
                log.warning("matrix: no state_dir: encryption keys are kept in memory only, "
                            "so each start is a new device")
            key = pickle_key(folder, self.config.pickle_key_file)
            self.client.config = replace(self.client.config, pickle_key=key)
        except CryptoStoreError as exc:
            raise MatrixFatal(str(exc)) from exc

    async def _own_device_keys(self) -> dict[str, Any]:
        """The server's record of the account's devices' keys (``/keys/query`` for our own
        user, asked directly: nio only asks when it thinks it must)."""
        url = f"{self.config.homeserver}/_matrix/client/v3/keys/query"
        body: dict[str, Any] = {"device_keys": {self.client.user_id: []}}
        headers = {"Authorization": f"Bearer {self.client.access_token}"}
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as http, \
                http.post(url, json=body, headers=headers) as response:
            if response.status >= 500:
                raise MatrixRetryable(f"matrix: /keys/query answered {response.status}")
            data = await response.json(content_type=None)
        devices = ((data or {}).get("device_keys") or {}).get(self.client.user_id) or {}
        return devices if isinstance(devices, dict) else {}

    @contextlib.contextmanager
    def _store_errors(self) -> Iterator[None]:
        """A store that cannot be opened (corrupt, locked, or a pickle key that does not
        fit) stops the platform with one sentence: retrying cannot mend it. Network
        trouble meanwhile stays a reason to retry."""
        if not self.encryption:
            yield
            return
        try:
            yield
        except (MatrixFatal, MatrixRetryable, aiohttp.ClientError, OSError, TimeoutError):
            raise
        except Exception as exc:
            where = self.config.state_dir or "memory"
            raise MatrixFatal(f"matrix: the encryption store in {where} cannot be opened "
                              f"({type(exc).__name__}: {exc}); if it is damaged, move it "
                              "aside to start a new device") from exc

    def _open_store(self) -> None:
        """Load (or make) the device's encryption store, owner-only."""
        with self._store_errors():
            self.client.load_store()
        if self.config.state_dir is not None:
            tighten(self.config.state_dir)

    async def _check_device(self) -> None:
        """The device the server knows must be the one whose keys the store holds: a token
        copied from another client's session, or a store that was replaced, would publish
        keys for someone else's device."""
        olm = self.client.olm
        if olm is None:
            return
        known = await self._own_device_keys()
        device = known.get(self.client.device_id or "")
        ours = olm.account.identity_keys.get("ed25519")
        theirs = ((device or {}).get("keys") or {}).get(f"ed25519:{self.client.device_id}")
        if theirs and theirs != ours:
            if not olm.account.shared and self.config.access_token is not None:
                raise MatrixFatal(
                    f"matrix: the access token belongs to device {self.client.device_id}, "
                    "which already has encryption keys from another client; give "
                    "summit-bot a password (MATRIX_PASSWORD) or a token from a fresh login")
            raise MatrixFatal(
                f"matrix: the encryption store in {self.config.state_dir} does not match "
                f"device {self.client.device_id} on the server (its keys differ); to reset, "
                f"move {self.config.state_dir} aside and start again: the bot logs in as a "
                "new device (a password is needed)")

    async def run(self) -> None:
        """Log in, skip the backlog, then sync until closed, backing off on failures."""
        self._started_ms = int(time.time() * 1000)
        if self.encryption:
            self._prepare_crypto()
        await self._with_backoff(self._login)
        if self.encryption:
            await self._with_backoff(self._check_device)
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)
        cfg = self.config
        assert cfg.homeserver and cfg.user_id
        for room_id in state.load_direct_rooms(cfg.state_dir, cfg.homeserver, cfg.user_id):
            self._direct.setdefault(room_id, True)
        people = state.load_direct_people(cfg.state_dir, cfg.homeserver, cfg.user_id)
        for room_id, person in people.items():
            self._direct_people.setdefault(room_id, person)
        resumed = state.load_sync_token(cfg.state_dir, cfg.homeserver, cfg.user_id)
        first = resumed is None
        if resumed is not None:
            # Resume where the last run stopped. What was said meanwhile arrives now: the
            # age check (sent before this start, or stale) keeps it unanswered, as the
            # backlog of a first sync is.
            self.client.next_batch = resumed
            self._listen()
            log.info("matrix: resuming the sync of the last run")
        while not self._stop.is_set():
            self.sync_attempts += 1
            try:
                # the first request returns at once (so the bot is "connected" at once);
                # later ones wait for events on the server (long polling)
                response = await self._interruptible(self.client.sync(
                    timeout=0 if not self._connected_once else self.sync_timeout_ms,
                    full_state=first or None))
            except asyncio.CancelledError:
                if self._stop.is_set():
                    break
                raise
            except Exception as exc:  # connection refused, reset, timeout: all transient
                response = exc
            if isinstance(response, SyncResponse):
                if not self._connected:
                    log.info("matrix: connected as %s", self.client.user_id)
                self._connected = self._connected_once = True
                self.backoff.reset()
                if first:  # the backlog is behind us: only now listen to messages
                    first = False
                    self._listen()
                if self.encryption:
                    await self._crypto_chores()
                    if not self._cross_signing_tried and self.client.olm is not None \
                            and self.client.olm.account.shared:
                        self._cross_signing_tried = True  # once per run, off the loop
                        self._spawn(self._cross_sign())
                self._keep_sync_token(response.next_batch)
                continue
            self._connected = False
            delay = self.backoff.next_delay()
            log.warning("matrix: sync failed (%s); retrying in %.1f s",
                        getattr(response, "message", None) or type(response).__name__, delay)
            await self._sleep(delay)

    async def _crypto_chores(self) -> None:
        """What ``sync_forever`` does between syncs for encryption: send queued to-device
        messages (room keys for others), upload our keys, learn others' devices and claim
        their one-time keys; then try the held messages again. Failures never stop the
        sync."""
        client = self.client
        try:
            await client.send_to_device_messages()
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            self._crypto_failing = False
        except Exception as exc:
            if not self._crypto_failing:
                log.warning("matrix: an encryption key request failed (%s); retrying after "
                            "the next sync", type(exc).__name__)
            self._crypto_failing = True
        if self.config.state_dir is not None:
            tighten(self.config.state_dir)
        await self._retry_held()

    async def _cross_sign(self) -> None:
        """Sign our device with the account's cross-signing keys (made once, kept in the
        state folder), so clients that only talk to verified devices talk to the bot."""
        cfg = self.config
        if cfg.state_dir is None or not cfg.homeserver or not self.client.device_id:
            return
        password = cfg.password.get_secret_value() if cfg.password else None
        why = await cross_sign_device(cfg.homeserver, self.client.access_token,
                                      self.client.user_id, self.client.device_id,
                                      cfg.state_dir, password)
        if why is not None:
            log.warning("matrix: %s", why)

    async def _retry_held(self) -> None:
        """Answer held messages whose key has arrived; give up on those past the grace
        period (saying so once) or too old to answer."""
        now = time.monotonic()
        for event_id, (room, event, held_at) in list(self._held.items()):
            try:
                decrypted = self.client.decrypt_event(event)
            except EncryptionError:
                decrypted = None
            if isinstance(decrypted, RoomMessageText | ReactionEvent):
                del self._held[event_id]
                if isinstance(decrypted, RoomMessageText):
                    await self._on_message(room, decrypted)
                else:
                    await self._on_reaction(room, decrypted)
                continue
            if self._too_old(event):
                del self._held[event_id]
                continue
            if now - held_at >= self.config.undecryptable_grace_seconds:
                del self._held[event_id]
                log.warning("matrix: could not decrypt %s from %s (session %s) in time",
                            event_id, event.sender, event.session_id)
                if _is_annotation(event):
                    continue  # a reaction lost is no question lost: nothing to ask again
                last = self._told_undecryptable.get(room.room_id)
                if last is None or now - last >= UNDECRYPTABLE_EVERY_SECONDS:
                    self._told_undecryptable[room.room_id] = now
                    content = render_content(Notice(UNDECRYPTABLE_NOTICE))
                    content["m.relates_to"] = reply_relation(event_id, None)
                    with contextlib.suppress(Exception):
                        await self.client.room_send(room.room_id, "m.room.message", content,
                                                    ignore_unverified_devices=True)

    def _listen(self) -> None:
        self.client.add_event_callback(self._note_server_clock, Event)
        self.client.add_event_callback(self._on_message, RoomMessageText)
        self.client.add_event_callback(self._on_encrypted, MegolmEvent)
        self.client.add_event_callback(self._on_reaction, ReactionEvent)

    def _keep_sync_token(self, token: str, force: bool = False) -> None:
        """Save the sync token now and then (and at close), not after every sync."""
        cfg = self.config
        now = time.monotonic()
        if not token or cfg.state_dir is None or not cfg.homeserver or not cfg.user_id:
            return
        if not force and now - self._token_saved_at < SYNC_TOKEN_EVERY_SECONDS:
            return
        self._token_saved_at = now
        if not state.save_sync_token(cfg.state_dir, cfg.homeserver, cfg.user_id, token) \
                and not self._warned_token:
            self._warned_token = True
            log.warning("matrix: cannot write the sync token in %s; a restart will do a "
                        "full sync", cfg.state_dir)

    async def post(self, target: str, text: str) -> bool:
        """A post to a room the bot is in (schedule announcements): an m.notice, HTML
        escaped, encrypted where the room is (one quiet since a resumed sync began is read
        from the server first); False when it could not be sent."""
        if not self._connected:
            return False
        try:
            if target not in self.client.rooms and not await self._room_known(target):
                return False
            sent = await self.client.room_send(target, "m.room.message",
                                               render_content(Notice(text, kind="info")),
                                               ignore_unverified_devices=True)
        except Exception as exc:
            log.warning("announcements: room %s refused the post (%s)", target,
                        type(exc).__name__)
            return False
        return isinstance(sent, RoomSendResponse)

    # --- direct messages (reminders) -------------------------------------------------------
    async def send_direct(self, user: str, text: str, ref: str) -> Delivery:
        """A reminder (or its confirmation) in the person's direct chat with the bot: the
        one they are in or invited to, else one opened now (and remembered, so the next
        message goes there too). An m.notice, HTML escaped, encrypted where the room is;
        ``ref`` is its transaction id, so a message sent again after a crash is kept once
        by the homeserver."""
        if not self._connected:
            return "failed"
        try:
            async with self._opening.setdefault(user, asyncio.Lock()):
                return await self._send_direct(user, text, ref)
        except Exception as exc:  # a network fault, a timeout, nio refusing: try later
            log.warning("matrix: a direct message was not sent (%s)", type(exc).__name__)
            return "failed"

    async def _send_direct(self, user: str, text: str, ref: str) -> Delivery:
        room_id, why = await self._chat_with(user)
        if room_id is None:
            return why
        sent = await self._send_notice(room_id, text, ref)
        if sent != "refused":
            return sent
        self._forget_direct(room_id)  # the bot may no longer speak there: a new chat
        opened, why = await self._open_direct(user)
        return await self._send_notice(opened, text, ref) if opened is not None else why

    async def _chat_with(self, user: str) -> tuple[str | None, Delivery]:
        """The person's direct chat with the bot, opened now if there is none (the caller
        holds the person's lock): its room id, or None and why there is none."""
        room_id = await self._direct_room_of(user)
        if room_id is not None:
            self._declined.discard(user)
            return room_id, "sent"
        if user in self._declined:
            return None, "refused"  # they turned the last chat down: not invited again
        return await self._open_direct(user)

    async def _direct_room_of(self, user: str) -> str | None:
        """The direct chat the bot has with ``user``, checked against the room's state on
        the server: the bot in it, the person joined (or else invited), no one else."""
        own = self.client.user_id
        candidates = [room for room, person in self._direct_people.items() if person == user]
        for room in list(self.client.rooms.values()):
            if self._direct.get(room.room_id) and room.room_id not in candidates \
                    and set(room.users) == {own, user}:
                candidates.append(room.room_id)
        invited: tuple[str, list[dict[str, Any]]] | None = None
        for room_id in candidates:
            events = await self._room_state(room_id)
            members = members_of(events) if events is not None else None
            if members is None or own not in members.joined:
                self._forget_direct(room_id)  # the bot left it, or was removed
                continue
            if not self._usable_direct(room_id, user, members):
                continue
            assert events is not None
            if user in members.joined:
                return self._adopted(room_id, events)
            invited = invited or (room_id, events)
        return self._adopted(*invited) if invited is not None else None

    def _usable_direct(self, room_id: str, user: str, members: RoomMembers) -> bool:
        others = members.others(self.client.user_id)
        if others != {user}:
            if not others:  # the person left (or turned the invite down): leave it too
                self._declined.add(user)
                self._forget_direct(room_id)
                self._spawn(self.client.room_leave(room_id))
            elif self._direct_people.pop(room_id, None) is not None:
                self._save_direct()  # others joined: no longer a chat with them alone
            return False
        if members.encrypted and not self.encryption:
            return False  # the bot cannot write there: a plain chat instead
        if self._direct_people.get(room_id) != user:
            self._direct_people[room_id] = user
            self._save_direct()
        return True

    def _adopted(self, room_id: str, events: list[dict[str, Any]]) -> str:
        """The room as nio must know it to encrypt for every member, invited ones too."""
        adopt(self.client, room_id, events)
        return room_id

    async def _room_known(self, room_id: str) -> bool:
        """A room the bot is in that nio has not seen (quiet since a resumed sync began),
        read from the server and handed to nio; False if the bot is not in it."""
        events = await self._room_state(room_id)
        if events is None or self.client.user_id not in members_of(events).joined:
            return False
        adopt(self.client, room_id, events)
        return True

    async def _room_state(self, room_id: str) -> list[dict[str, Any]] | None:
        """The room's current state events; None when the bot is not in the room."""
        response = await self.client.room_get_state(room_id)
        if isinstance(response, RoomGetStateResponse):
            return [e for e in response.events if isinstance(e, dict)]
        if http_status(response) in (403, 404):
            return None
        raise MatrixRetryable(f"matrix: reading a room's state failed "
                              f"({http_status(response)})")

    async def _open_direct(self, user: str) -> tuple[str | None, Delivery]:
        """A new direct chat with ``user`` (invited as ``is_direct``, encrypted when the
        bot encrypts), remembered at once: its room id, or None and why there is none."""
        profile = await self.client.get_profile(user)
        if isinstance(profile, ProfileGetError):
            status = http_status(profile)
            if status in (400, 404):  # no such person: inviting them would go nowhere
                log.info("matrix: no direct chat opened: the person does not exist")
                return None, "refused"
            if status not in (401, 403):  # 403: profiles shown to room-mates only
                log.warning("matrix: looking up a person failed (%s); a direct chat is "
                            "opened later", status)
                return None, "failed"
        created = await self.client.room_create(
            is_direct=True, invite=[user], preset=RoomPreset.trusted_private_chat,
            initial_state=[ENCRYPTION_STATE] if self.encryption else [])
        if not isinstance(created, RoomCreateResponse):
            status = http_status(created)
            log.warning("matrix: opening a direct chat failed (%s %s)", status,
                        getattr(created, "status_code", ""))
            return None, "refused" if status in (400, 403, 404) else "failed"
        room_id = str(created.room_id)
        self._direct[room_id] = True
        self._direct_people[room_id] = user
        self._save_direct()
        log.info("matrix: opened direct chat %s for reminders", room_id)
        events = await self._room_state(room_id)  # the invite included, before any sync
        if events is None:
            return None, "failed"
        adopt(self.client, room_id, events)
        return room_id, "sent"

    async def _send_notice(self, room_id: str, text: str, ref: str) -> Delivery:
        room = self.client.rooms.get(room_id)
        if self.client.olm is not None and room is not None and room.encrypted \
                and self.client.should_query_keys:
            # the person's devices, before the room key is shared (nio only asks itself
            # when it first loads the room's members)
            with contextlib.suppress(LocalProtocolError):
                await self.client.keys_query()
        sent = await self.client.room_send(room_id, "m.room.message",
                                           render_content(Notice(text, kind="info")),
                                           tx_id=ref, ignore_unverified_devices=True)
        if isinstance(sent, RoomSendResponse):
            return "sent"
        status = http_status(sent)
        log.warning("matrix: a direct message to %s was not sent (%s %s)", room_id, status,
                    getattr(sent, "status_code", ""))
        return "refused" if status == 403 else "failed"

    def _forget_direct(self, room_id: str) -> None:
        known = self._direct.pop(room_id, None) is not None
        known = self._direct_people.pop(room_id, None) is not None or known
        if known:
            self._save_direct()

    def _save_direct(self) -> None:
        cfg = self.config
        assert cfg.homeserver and cfg.user_id
        state.save_direct_rooms(cfg.state_dir, cfg.homeserver, cfg.user_id,
                                {r for r, direct in self._direct.items() if direct},
                                self._direct_people)

    async def close(self) -> None:
        if self.client.next_batch:
            self._keep_sync_token(self.client.next_batch, force=True)
        self._stop.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.client.close()
        self._connected = False

    async def _with_backoff(self, action: Any) -> None:
        """Run ``action`` until it succeeds; only a :class:`MatrixFatal` stops trying."""
        while True:
            try:
                await action()
                return
            except MatrixFatal:
                raise
            except Exception as exc:
                delay = self.backoff.next_delay()
                log.warning("matrix: %s failed (%s); retrying in %.1f s",
                            action.__name__, type(exc).__name__, delay)
                await self._sleep(delay)
                if self._stop.is_set():
                    raise asyncio.CancelledError from exc

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _interruptible(self, awaitable: Any) -> Any:
        """Await a request, but give up at once when close() is called."""
        request = asyncio.ensure_future(awaitable)
        stopper = asyncio.ensure_future(self._stop.wait())
        done, _ = await asyncio.wait({request, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if request not in done:
            request.cancel()
            with contextlib.suppress(BaseException):
                await request
            raise asyncio.CancelledError
        stopper.cancel()
        return request.result()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- invites ------------------------------------------------------------------------
    def invite_allowed(self, inviter: str, room_id: str) -> bool:
        cfg = self.config
        if room_id in cfg.allowed_rooms:
            return True
        if cfg.allowed_inviters:
            return inviter in cfg.allowed_inviters
        own_server = (cfg.user_id or "").split(":", 1)[-1]
        servers = cfg.allowed_servers or [own_server]
        return inviter.split(":", 1)[-1] in servers

    async def _on_invite(self, room: MatrixInvitedRoom, event: InviteMemberEvent) -> None:
        if event.state_key != self.client.user_id or event.membership != "invite":
            return
        if room.room_id not in self.client.invited_rooms or room.room_id in self.client.rooms:
            return  # an old invite in a joined room's timeline, not a pending one
        self._direct[room.room_id] = bool(event.content.get("is_direct"))
        if self._direct[room.room_id]:
            self._direct_people[room.room_id] = event.sender  # who asked for the chat
            self._save_direct()
        if self.invite_allowed(event.sender, room.room_id):
            log.info("matrix: joining %s (invited by %s)", room.room_id, event.sender)
            self._spawn(self.client.join(room.room_id))
        else:
            log.info("matrix: declining invite to %s from %s", room.room_id, event.sender)
            self._spawn(self.client.room_leave(room.room_id))

    # --- messages -----------------------------------------------------------------------
    async def is_admin(self, room: MatrixRoom, user_id: str) -> bool:
        """A configured admin, a creator of the room (room version 12 gives creators power
        above any level), or power level >= admin_power_level, read fresh from the room's
        state: reloads are rare, and a stale level must not count."""
        if user_id in self.config.admin_users:
            return True
        response = await self.client.room_get_state(room.room_id)
        events = getattr(response, "events", None)
        if not isinstance(events, list):
            return False  # cannot tell: refuse
        power: dict[str, Any] = {}
        for event in events:
            if event.get("type") == "m.room.create":
                content = event.get("content") or {}
                version = str(content.get("room_version", "1"))
                creators = {event.get("sender"), *content.get("additional_creators", [])}
                if version.isdigit() and int(version) >= 12 and user_id in creators:
                    return True
            elif event.get("type") == "m.room.power_levels":
                power = event.get("content") or {}
        level = (power.get("users") or {}).get(user_id, power.get("users_default", 0))
        return isinstance(level, int) and level >= self.config.admin_power_level

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id:
            return
        if self._old_or_seen(event):
            log.debug("matrix: not answering %s (from before the start, stale, or seen)",
                      event.event_id)
            return
        content = event.source.get("content", {})
        relates = content.get("m.relates_to") or {}
        if relates.get("rel_type") == "m.replace" or "m.new_content" in content:
            return  # an edit: its fallback body repeats a message already seen
        if content.get("msgtype") == "m.notice":
            return  # bots speak in notices; never answer one
        mentions = content.get("m.mentions") or {}
        request = parse_request(
            event.body, prefix=self.config.prefix, user_id=self.client.user_id,
            display_name=room.user_name(self.client.user_id),
            formatted_body=event.formatted_body,
            mentioned_ids=list(mentions.get("user_ids") or []),
            direct=await self._is_direct(room))
        if request is None:
            return
        thread_root = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
        self._spawn(self._answer(room, event, request, thread_root))

    def _sent_at_ms(self, event: Event) -> float:
        """When the event was sent, on our clock: now minus the ``age`` the homeserver
        gives it, which no clock skew between us and the server can fool; the server's
        timestamp where there is no age."""
        age = (event.source.get("unsigned") or {}).get("age")
        if isinstance(age, int) and age >= 0:
            return time.time() * 1000 - age
        # A decrypted event has lost its age: the server's timestamp, on our clock as far
        # as events that kept theirs tell (else allowing two seconds for the server's).
        return float(event.server_timestamp) + self._server_clock_ms

    def _note_server_clock(self, room: MatrixRoom, event: Event) -> None:
        """How far our clock runs ahead of the homeserver's, from any event with an age
        (state and plain events keep theirs): a decrypted question is judged by it."""
        age = (event.source.get("unsigned") or {}).get("age")
        if isinstance(age, int) and age >= 0 and event.server_timestamp:
            self._server_clock_ms = time.time() * 1000 - age - event.server_timestamp

    def _old_or_seen(self, event: Event) -> bool:
        """From before we started, stale, or already answered. Synapse may replay a
        cached sync response to a bot that restarts within minutes, and a rejoin can
        deliver a room's recent timeline again: neither may be answered twice."""
        if self._too_old(event):
            return True
        if event.event_id in self._answered:
            return True
        self._answered[event.event_id] = None
        if len(self._answered) > REMEMBERED_EVENTS:
            self._answered.popitem(last=False)
        return False

    def _too_old(self, event: Event) -> bool:
        """Sent before this start, or longer ago than a question is answered."""
        sent = self._sent_at_ms(event)
        return sent < self._started_ms or sent < time.time() * 1000 - STALE_AFTER_MS

    async def _is_direct(self, room: MatrixRoom) -> bool:
        """A direct chat: two members, and the bot was invited with ``is_direct`` (kept in
        the state folder across restarts; else read from its membership event)."""
        if not room.members_synced:  # a resumed sync knows a room's members only in part
            with contextlib.suppress(Exception):
                await self.client.joined_members(room.room_id)
        if room.member_count != 2:
            return False
        if room.room_id not in self._direct:
            response = await self.client.room_get_state_event(
                room.room_id, "m.room.member", self.client.user_id)
            content = getattr(response, "content", None) or {}
            self._direct[room.room_id] = bool(content.get("is_direct"))
        return self._direct[room.room_id]

    async def _answer(self, room: MatrixRoom, event: RoomMessageText, request: Request,
                      thread_root: str | None) -> None:
        reply: Reply | None = None
        try:
            reply = await self._execute(room, event.sender, request)
            if isinstance(reply, ReminderList | Agenda) and not await self._is_direct(room):
                # Matrix has no private replies: a person's reminders go to their direct
                # chat, and the room hears only that they went there
                reply = await self._in_direct_chat(event.sender, reply)
            content = render_content(reply)
        except Exception:
            log.exception("matrix: answering %s failed", event.event_id)
            content = render_content(Notice(FAILURE))
        content["m.relates_to"] = reply_relation(event.event_id, thread_root)
        try:
            sent = await self.client.room_send(room.room_id, "m.room.message", content,
                                               ignore_unverified_devices=True)
        except Exception as exc:
            log.warning("matrix: reply to %s not sent (%s)", event.event_id,
                        type(exc).__name__)
            return
        if isinstance(reply, AnswerReply) and isinstance(sent, RoomSendResponse):
            # 👍/👎 reactions on this reply are votes on the answer
            self.service.link_message(reply.answer_id, _message_ref(sent.event_id))
        if isinstance(reply, Agenda) and reply.ics is not None \
                and isinstance(sent, RoomSendResponse):
            await self._send_file(room, reply.filename, reply.ics, ICS_TYPE,
                                  reply_relation(event.event_id, thread_root))

    async def _in_direct_chat(self, user: str, reply: ReminderList | Agenda) -> Notice:
        """Send a private reply (a person's reminders or agenda, with its .ics) to their
        direct chat with the bot; what to say in the room instead."""
        what = "reminders" if isinstance(reply, ReminderList) else "agenda"
        try:
            async with self._opening.setdefault(user, asyncio.Lock()):
                room_id, _ = await self._chat_with(user)
            room = self.client.rooms.get(room_id) if room_id is not None else None
            sent = None if room is None else await self.client.room_send(
                room.room_id, "m.room.message", render_content(reply),
                ignore_unverified_devices=True)
        except Exception as exc:
            log.warning("matrix: a private reply was not sent (%s)", type(exc).__name__)
            room, sent = None, None
        if room is None or not isinstance(sent, RoomSendResponse):
            return Notice(f"I could not open a direct chat with you to show your {what}; "
                          f"please ask me {self.config.prefix}{what} in a direct chat.",
                          kind="busy")
        if isinstance(reply, Agenda) and reply.ics is not None:
            await self._send_file(room, reply.filename, reply.ics, ICS_TYPE, {})
        return Notice(f"I sent your {what} to our direct chat.", kind="info")

    async def _send_file(self, room: MatrixRoom, name: str, data: bytes, mimetype: str,
                         relates: dict[str, Any]) -> bool:
        """A file (an agenda's .ics) as an ``m.file`` reply: uploaded encrypted where the
        room is, so the server keeps only ciphertext there too."""
        encrypt = room.encrypted and self.client.olm is not None
        try:
            uploaded, keys = await asyncio.wait_for(self.client.upload(
                lambda *_: io.BytesIO(data), content_type=mimetype, filename=name,
                encrypt=encrypt, filesize=len(data)), UPLOAD_SECONDS)
            if not isinstance(uploaded, UploadResponse):
                log.warning("matrix: uploading %s failed (%s)", name,
                            http_status(uploaded))
                return False
            content: dict[str, Any] = {
                "msgtype": "m.file", "body": name, "filename": name,
                "info": {"mimetype": mimetype, "size": len(data)}, "m.mentions": {},
                **({"m.relates_to": relates} if relates else {})}
            if keys is not None:
                content["file"] = {**keys, "url": uploaded.content_uri}
            else:
                content["url"] = uploaded.content_uri
            sent = await self.client.room_send(room.room_id, "m.room.message", content,
                                               ignore_unverified_devices=True)
        except Exception as exc:
            log.warning("matrix: %s not sent (%s)", name, type(exc).__name__)
            return False
        return isinstance(sent, RoomSendResponse)

    async def _execute(self, room: MatrixRoom, sender: str, request: Request) -> Reply:
        command = BY_NAME[request.command]
        admin = command.admin and await self.is_admin(room, sender)
        direct = await self._is_direct(room)
        requester = Requester("matrix", sender, is_admin=admin,
                              name=room.user_name(sender) or sender, place=room.room_id,
                              direct=direct)
        call = Call(requester, request.argument, page_size=LIST_PAGE_SIZE)
        reply = await command.run(self.service, call)
        if isinstance(reply, ReportReply) and not direct and \
                room.member_count > LARGE_ROOM_MEMBERS:
            # a long list would flood a busy room: the figures here, the rest in private
            reply = replace(reply, short=True, note=(
                f"This room has {room.member_count} members, so only the figures are shown "
                f"here; ask me {self.config.prefix}report in a direct chat for the full "
                "list."))
        return reply

    async def _on_reaction(self, room: MatrixRoom, event: ReactionEvent) -> None:
        """👍 or 👎 on one of the bot's answers is a vote; nothing is said in the room."""
        if event.sender == self.client.user_id or self._old_or_seen(event):
            return
        vote = VOTE_KEYS.get(event.key.replace("\ufe0f", ""))
        if vote is None:
            return
        answer_id = await self.service.answer_for_message(_message_ref(event.reacts_to))
        if answer_id is None:  # not an answer of ours (or one no longer kept)
            return
        requester = Requester("matrix", event.sender, place=room.room_id,
                              direct=await self._is_direct(room))
        await self.service.vote(answer_id, requester, vote)

    async def _on_encrypted(self, room: MatrixRoom, event: MegolmEvent) -> None:
        """A message nio could not decrypt. With encryption on, its key has not arrived
        yet: hold it (and ask the sender's devices for the key) until it does, or until
        the grace period ends. With encryption off, say once that the room is unreadable."""
        if event.sender == self.client.user_id or self._too_old(event):
            return
        if self.encryption:
            if event.event_id in self._held or event.event_id in self._answered:
                return
            self._held[event.event_id] = (room, event, time.monotonic())
            while len(self._held) > HELD_AT_MOST:
                self._held.popitem(last=False)
            log.info("matrix: holding %s from %s until its key (session %s) arrives",
                     event.event_id, event.sender, event.session_id)
            with contextlib.suppress(Exception):
                await self.client.request_room_key(event)
            return
        if room.room_id in self._warned_encrypted:
            return
        if self._old_or_seen(event):
            return
        self._warned_encrypted.add(room.room_id)
        log.warning("matrix: room %s is encrypted; the bot cannot read it", room.room_id)
        content = render_content(Notice(ENCRYPTED_NOTICE))
        with contextlib.suppress(Exception):
            await self.client.room_send(room.room_id, "m.room.message", content,
                                        ignore_unverified_devices=True)


def _is_annotation(event: MegolmEvent) -> bool:
    """An encrypted reaction (its relation stays readable: m.annotation)."""
    relates = (event.source.get("content") or {}).get("m.relates_to") or {}
    return relates.get("rel_type") == "m.annotation"


def _message_ref(event_id: str) -> str:
    """How a Matrix message is named in the state database."""
    return f"matrix:{event_id}"
