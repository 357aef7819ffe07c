"""A small fake of Discord's API on 127.0.0.1, enough for discord.py to log in, connect,
sync commands and answer interactions and messages: REST under /api/v10 and a gateway
websocket. Every REST request is recorded with its JSON so tests can assert on the wire.

Traps it respects: discord.py reads a body as JSON only when Content-Type is exactly
``application/json``; interaction callbacks are ``POST /interactions/{id}/{token}/callback
?with_response=1`` and must answer ``{"interaction": ..., "resource": ...}``; the view
store finds a button's view by the ``response_message_id`` the callback returned.

Direct messages: ``POST /users/@me/channels`` opens (or finds) a user's DM channel; posting
to a user in ``refuse_dms`` answers 403 code 50007, as Discord does when someone's privacy
settings refuse DMs; a message sent again with the same nonce (``enforce_nonce``) is the
same message, not a second one.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

APP_ID = 424242424242424242  # a bot's user id is its application id
GUILD_ID = 111111111111111111
CHANNEL_ID = 222222222222222222
ADMIN_ROLE_ID = 333333333333333333  # a role configured as admin in the tests
BOT_ROLE_ID = 444444444444444444  # the bot's own managed role
OWNER_ID = 555555555555555555
TOKEN = "fake-token-never-logged"

MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
MESSAGE_CONTENT_INTENT = 1 << 15
TIMESTAMP = "2024-05-01T12:00:00.000000+00:00"

BOT_USER: dict[str, Any] = {"id": str(APP_ID), "username": "summit-bot", "discriminator": "0",
                            "global_name": None, "avatar": None, "bot": True, "flags": 0}


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "bot": bot}


def member(user_data: dict[str, Any], *, roles: tuple[int, ...] = (),
           permissions: int = 0) -> dict[str, Any]:
    return {"user": user_data, "roles": [str(r) for r in roles], "joined_at": TIMESTAMP,
            "deaf": False, "mute": False, "flags": 0, "nick": None,
            "permissions": str(permissions)}


ALICE = user(700000000000000001, "alice")
BOB = user(700000000000000002, "bob")
OTHER_BOT = user(700000000000000009, "otherbot", bot=True)


@dataclass(slots=True)
class Recorded:
    method: str
    path: str  # after /api/v10
    query: dict[str, str]
    json: Any  # the JSON body, or a multipart request's payload_json
    files: dict[str, bytes] = field(default_factory=dict)  # multipart uploads by filename


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})


class FakeDiscord:
    """The fake API. ``dispatch`` sends gateway events to every connected client."""

    def __init__(self, *, refuse_message_content: bool = False, keep_requests: bool = True):
        self.refuse_message_content = refuse_message_content
        # A long benchmark keeps no history; it listens with ``on_request`` instead.
        self.keep_requests = keep_requests
        self.on_request: Callable[[Recorded], None] | None = None
        self.requests: list[Recorded] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes = 0
        self.refuse_gateway = 0  # gateway connections to answer 503 (an outage)
        self.responses: dict[str, dict[str, Any]] = {}  # interaction id -> response message
        # statuses to answer the next channel-message POSTs with (503: Discord is busy)
        self.fail_messages: list[int] = []
        self.users: dict[int, dict[str, Any]] = {
            int(u["id"]): u for u in (ALICE, BOB, OTHER_BOT, user(OWNER_ID, "owner"))}
        self.dm_channels: dict[int, int] = {}  # user id -> their DM channel's id
        self.refuse_dms: set[int] = set()  # users whose privacy settings refuse DMs
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}  # enforced nonces
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = itertools.count(1)
        self._ids = itertools.count(900000000000000001)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- life cycle ---------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def new_id(self) -> int:
        return next(self._ids)

    # --- waiting on what discord.py sent --------------------------------------------------
    async def _note(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[Recorded], bool],
                       timeout: float = 10.0) -> Recorded:
        """The first recorded request matching ``predicate``, waiting up to ``timeout``."""

        def found() -> Recorded | None:
            return next((r for r in self.requests if predicate(r)), None)

        async def wait() -> Recorded:
            async with self._changed:
                await self._changed.wait_for(lambda: found() is not None)
            result = found()
            assert result is not None
            return result

        return await asyncio.wait_for(wait(), timeout)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(condition)

        await asyncio.wait_for(wait(), timeout)

    def matching(self, method: str, path_part: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and path_part in r.path]

    async def interact(self, payload: dict[str, Any], timeout: float = 10.0) -> Recorded:
        """Dispatch an INTERACTION_CREATE and return the callback discord.py sent for it."""
        await self.dispatch("INTERACTION_CREATE", payload)
        return await self.callback(payload, timeout)

    async def callback(self, payload: dict[str, Any], timeout: float = 10.0) -> Recorded:
        prefix = f"/interactions/{payload['id']}/{payload['token']}/callback"
        return await self.wait_for(lambda r: r.method == "POST" and r.path == prefix, timeout)

    async def webhook(self, payload: dict[str, Any], method: str,
                      timeout: float = 10.0) -> Recorded:
        """A follow-up to an interaction: PATCH/DELETE of @original, or POST of a new one."""
        prefix = f"/webhooks/{APP_ID}/{payload['token']}"
        return await self.wait_for(
            lambda r: r.method == method and r.path.startswith(prefix), timeout)

    async def reply_to(self, message: dict[str, Any], timeout: float = 10.0) -> Recorded:
        """The message discord.py posted in reply to ``message``."""
        return await self.wait_for(
            lambda r: r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages"
            and str((r.json or {}).get("message_reference", {}).get("message_id"))
            == message["id"], timeout)

    def dm_channel(self, user_id: int | str) -> int | None:
        """The id of the DM channel opened with this user, if one was."""
        return self.dm_channels.get(int(user_id))

    def dm_posts(self, user_id: int | str) -> list[Recorded]:
        """The messages posted to this user's DM channel (each request, repeats too)."""
        channel = self.dm_channel(user_id)
        return [r for r in self.requests if r.method == "POST"
                and r.path == f"/channels/{channel}/messages"] if channel else []

    # --- REST -------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        files: dict[str, bytes] = {}
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    files[part.filename or "?"] = bytes(await part.read())  # type: ignore[union-attr]
        elif request.can_read_body:
            text = await request.text()
            body = json.loads(text) if text else None
        recorded = Recorded(request.method, path, dict(request.query), body, files)
        if self.keep_requests:
            self.requests.append(recorded)
        if self.on_request is not None:
            self.on_request(recorded)
        try:
            return self._answer(recorded)
        finally:
            await self._note()

    def _message(self, body: dict[str, Any] | None, channel_id: int = CHANNEL_ID,
                 message_id: int | None = None) -> dict[str, Any]:
        body = body or {}
        return {
            "id": str(message_id or self.new_id()), "channel_id": str(channel_id),
            "author": BOT_USER, "content": body.get("content") or "",
            "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": body.get("embeds") or [], "pinned": False,
            "type": 0, "flags": body.get("flags", 0),
            "components": body.get("components") or [],
        }

    def _answer(self, r: Recorded) -> web.Response:
        parts = r.path.strip("/").split("/")
        if r.method == "GET" and r.path == "/users/@me":
            return _json(BOT_USER)
        if r.method == "GET" and r.path == "/oauth2/applications/@me":
            return _json({"id": str(APP_ID), "name": "summit-bot", "description": "",
                          "icon": None, "bot_public": True, "bot_require_code_grant": False,
                          "owner": user(OWNER_ID, "owner"), "verify_key": "00", "flags": 0})
        if r.method == "GET" and r.path == "/gateway":
            return _json({"url": self.gateway_url})
        if r.method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            return _json([dict(c, id=str(self.new_id()), application_id=str(APP_ID),
                               version="1", default_member_permissions=c.get(
                                   "default_member_permissions"))
                          for c in r.json])
        if r.method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            return _json(self._callback(int(parts[1]), r.json))
        if parts[0] == "webhooks" and r.method in ("PATCH", "POST"):
            return _json(self._message(r.json))
        if parts[0] == "webhooks" and r.method == "DELETE":
            return web.Response(status=204)
        if r.method == "GET" and parts[0] == "users" and len(parts) == 2:
            found = self.users.get(int(parts[1])) if parts[1].isdigit() else None
            return _json(found) if found else _json({"message": "Unknown User",
                                                     "code": 10013}, 404)
        if r.method == "POST" and r.path == "/users/@me/channels":
            return self._open_dm(r.json or {})
        if r.method == "POST" and parts[0] == "channels" and parts[-1] == "messages":
            if self.fail_messages:
                status = self.fail_messages.pop(0)
                return web.Response(status=status, text="upstream connect error",
                                    headers={"Retry-After": "0.2"} if status == 503 else {})
            return self._post(int(parts[1]), r.json or {})
        return _json({"message": f"fake Discord has no {r.method} {r.path}", "code": 0}, 404)

    def _open_dm(self, body: dict[str, Any]) -> web.Response:
        recipient = str(body.get("recipient_id", ""))
        found = self.users.get(int(recipient)) if recipient.isdigit() else None
        if found is None:
            return _json({"message": "Invalid Recipient(s)", "code": 50033}, 400)
        channel = self.dm_channels.setdefault(int(recipient), self.new_id())
        return _json({"id": str(channel), "type": 1, "last_message_id": None, "flags": 0,
                      "recipients": [found]})

    def _post(self, channel_id: int, body: dict[str, Any]) -> web.Response:
        refused = {c for u, c in self.dm_channels.items() if u in self.refuse_dms}
        if channel_id in refused:
            return _json({"message": "Cannot send messages to this user", "code": 50007},
                         403)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            known = self._nonces.get((channel_id, str(nonce)))
            if known is not None:  # the same message again: Discord returns the first
                return _json(known)
        message = self._message(body, channel_id=channel_id)
        if nonce is not None:
            message["nonce"] = nonce
            if body.get("enforce_nonce"):
                self._nonces[(channel_id, str(nonce))] = message
        return _json(message)

    def _callback(self, interaction_id: int, body: dict[str, Any]) -> dict[str, Any]:
        kind = body["type"]
        data = body.get("data") or {}
        result: dict[str, Any] = {"interaction": {
            "id": str(interaction_id), "type": 2,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(data.get("flags", 0) & 64)}}
        if kind in (4, 5, 7):
            message = self._message(data)
            self.responses[str(interaction_id)] = message
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": kind, "message": message}
        return result

    # --- gateway ----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_gateway > 0:  # Discord briefly unreachable
            self.refuse_gateway -= 1
            await self._note()
            return web.Response(status=503, text="upstream connect error")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            payload = json.loads(msg.data)
            if payload["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif payload["op"] == 2:
                await self._identify(ws, payload["d"])
            elif payload["op"] == 6:  # RESUME after a dropped connection
                self.resumes += 1
                self._sockets.append(ws)
                await self._send(ws, "RESUMED", {})
                await self._note()
        if ws in self._sockets:
            self._sockets.remove(ws)
        return ws

    async def drop_gateway(self, code: int = 1000) -> None:
        """Close every gateway connection, as Discord does now and then."""
        for ws in list(self._sockets):
            await ws.close(code=code)
        self._sockets.clear()

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if self.refuse_message_content and data.get("intents", 0) & MESSAGE_CONTENT_INTENT:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            await self._note()
            return
        self._sockets.append(ws)
        await self._send(ws, "READY", {
            "v": 10, "user": BOT_USER, "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": "fake-session", "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0}, "private_channels": [],
            "relationships": [], "presences": []})
        await self._send(ws, "GUILD_CREATE", self.guild())
        await self._note()

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self._sockets, "no client is connected to the fake gateway"
        for ws in list(self._sockets):
            await self._send(ws, event, data)

    # --- payloads ---------------------------------------------------------------------------
    @staticmethod
    def guild() -> dict[str, Any]:
        def role(role_id: int, name: str, position: int, managed: bool = False
                 ) -> dict[str, Any]:
            r: dict[str, Any] = {"id": str(role_id), "name": name, "permissions": "0",
                                 "position": position, "color": 0, "hoist": False,
                                 "managed": managed, "mentionable": False, "flags": 0}
            if managed:
                r["tags"] = {"bot_id": str(APP_ID)}
            return r

        return {
            "id": str(GUILD_ID), "name": "Summit", "icon": None, "owner_id": str(OWNER_ID),
            "roles": [role(GUILD_ID, "@everyone", 0), role(ADMIN_ROLE_ID, "organisers", 1),
                      role(BOT_ROLE_ID, "summit-bot", 2, managed=True)],
            "channels": [{"id": str(CHANNEL_ID), "type": 0, "name": "general",
                          "position": 0, "permission_overwrites": [], "nsfw": False,
                          "parent_id": None, "topic": None}],
            "members": [member(BOT_USER, roles=(BOT_ROLE_ID,))], "member_count": 3,
            "features": [], "emojis": [], "stickers": [], "threads": [], "voice_states": [],
            "presences": [], "large": False, "unavailable": False,
            "joined_at": TIMESTAMP, "preferred_locale": "en-US", "premium_tier": 0,
            "verification_level": 0, "explicit_content_filter": 0, "mfa_level": 0,
            "system_channel_flags": 0, "nsfw_level": 0, "default_message_notifications": 0,
        }

    def _interaction(self, kind: int, data: dict[str, Any], who: dict[str, Any],
                     message: dict[str, Any] | None = None) -> dict[str, Any]:
        interaction_id = self.new_id()
        payload: dict[str, Any] = {
            "id": str(interaction_id), "application_id": str(APP_ID), "type": kind,
            "data": data, "guild_id": str(GUILD_ID),
            "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
            "channel": {"id": str(CHANNEL_ID), "type": 0, "name": "general",
                        "guild_id": str(GUILD_ID), "position": 0,
                        "permission_overwrites": [], "nsfw": False, "parent_id": None},
            "channel_id": str(CHANNEL_ID), "member": who,
            "token": f"itoken-{interaction_id}", "version": 1, "locale": "en-US",
            "guild_locale": "en-US", "app_permissions": "0", "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)}, "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        return payload

    def slash(self, name: str, who: dict[str, Any] | None = None,
              **options: str | int | bool) -> dict[str, Any]:
        """An INTERACTION_CREATE for ``/name option:value ...``: a string, an integer or a
        boolean option by the value's type."""
        def kind(value: str | int | bool) -> int:
            return 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3

        data = {"id": "1", "name": name, "type": 1,
                "options": [{"name": k, "type": kind(v), "value": v}
                            for k, v in options.items()]}
        return self._interaction(2, data, who or member(ALICE))

    def autocomplete(self, name: str, option: str, current: str,
                     who: dict[str, Any] | None = None) -> dict[str, Any]:
        data = {"id": "1", "name": name, "type": 1,
                "options": [{"name": option, "type": 3, "value": current, "focused": True}]}
        return self._interaction(4, data, who or member(ALICE))

    def button(self, custom_id: str, message: dict[str, Any], source: dict[str, Any],
               who: dict[str, Any] | None = None) -> dict[str, Any]:
        """A button press on ``message``, the response to interaction ``source``."""
        clicker = who or member(ALICE)
        message = dict(message, interaction_metadata={
            "id": source["id"], "type": 2, "user": source["member"]["user"],
            "authorizing_integration_owners": {"0": str(GUILD_ID)}})
        return self._interaction(3, {"custom_id": custom_id, "component_type": 2}, clicker,
                                 message)

    def message(self, content: str, author: dict[str, Any] | None = None, *,
                mentions: tuple[dict[str, Any], ...] = (), mention_everyone: bool = False,
                in_guild: bool = True) -> dict[str, Any]:
        """A MESSAGE_CREATE payload."""
        author = author or ALICE
        payload: dict[str, Any] = {
            "id": str(self.new_id()), "channel_id": str(CHANNEL_ID), "author": author,
            "content": content, "timestamp": TIMESTAMP, "edited_timestamp": None,
            "tts": False, "mention_everyone": mention_everyone,
            "mentions": [dict(m) for m in mentions], "mention_roles": [], "attachments": [],
            "embeds": [], "pinned": False, "type": 0, "flags": 0, "components": [],
        }
        if in_guild:
            payload["guild_id"] = str(GUILD_ID)
            payload["member"] = {k: v for k, v in member(author).items() if k != "user"}
        return payload
