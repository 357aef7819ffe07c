"""Direct chats for reminders: who is in a room as its current state says, and that state
handed to nio, so that an encrypted message reaches every member's devices.

nio knows a room only from the sync: a room the bot just created, or one that was quiet
since a resumed sync began, is missing from ``client.rooms`` (and nio refuses to encrypt
for a room it does not know), or known with only part of its members. The room's state,
read from the server, is the whole of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nio import AsyncClient, Event, MatrixRoom, RoomMemberEvent

ENCRYPTION_STATE: dict[str, Any] = {"type": "m.room.encryption", "state_key": "",
                                    "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


@dataclass(frozen=True, slots=True)
class RoomMembers:
    """A room's members by its current state."""

    joined: frozenset[str]
    invited: frozenset[str]
    encrypted: bool

    def others(self, own: str) -> frozenset[str]:
        """Everyone in the room or invited to it but ``own``."""
        return (self.joined | self.invited) - {own}


def members_of(events: list[dict[str, Any]]) -> RoomMembers:
    joined: set[str] = set()
    invited: set[str] = set()
    encrypted = False
    for event in events:
        kind = event.get("type")
        if kind == "m.room.encryption":
            encrypted = True
        elif kind == "m.room.member" and isinstance(event.get("state_key"), str):
            membership = (event.get("content") or {}).get("membership")
            if membership == "join":
                joined.add(event["state_key"])
            elif membership == "invite":
                invited.add(event["state_key"])
    return RoomMembers(frozenset(joined), frozenset(invited), encrypted)


def adopt(client: AsyncClient, room_id: str, events: list[dict[str, Any]]) -> MatrixRoom:
    """Make nio's room match the state read from the server (creating it if nio has none),
    as a sync's state section would: members joined and invited, encryption. A member
    nio did not know gets the next room key (the current one is set aside), and their
    devices are queried before the next encrypted message."""
    room = client.rooms.get(room_id)
    fresh = room is None
    if room is None:
        room = MatrixRoom(room_id, client.user_id, room_id in client.encrypted_rooms)
    changed = False
    for raw in events:
        try:
            event = Event.parse_event(raw)
        except (KeyError, TypeError, ValueError):
            continue
        if isinstance(event, RoomMemberEvent):
            changed = room.handle_membership(event) or changed
        elif isinstance(event, Event):
            room.handle_event(event)
    if fresh:
        client.rooms[room_id] = room
    if room.encrypted:
        client.encrypted_rooms.add(room_id)
        if client.store is not None:
            client.store.save_encrypted_rooms({room_id})
        if client.olm is not None:
            if changed and not fresh:
                client.invalidate_outbound_session(room_id)
            client.olm.update_tracked_users(room)
    return room


def http_status(response: object) -> int | None:
    """The HTTP status of a nio response (its error responses keep the errcode in
    ``status_code``; the transport keeps the number)."""
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", None)
    return status if isinstance(status, int) else None
