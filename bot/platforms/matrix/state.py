"""What the Matrix bot keeps between runs, in ``matrix.state_dir``: its device after a
password login (so restarts reuse one device instead of piling up new ones), and the sync
token (so a restart resumes where it stopped instead of a full initial sync, which takes
minutes for an account in many rooms), and its direct chats with whom they are with (so a
reminder goes to the chat a person already has). Files are written whole (a temp file renamed over
the old) and owner-only: one of them holds an access token."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FILENAME = "matrix-session.json"
SYNC_FILENAME = "matrix-sync.json"


@dataclass(slots=True)
class SavedLogin:
    homeserver: str
    user_id: str
    device_id: str
    access_token: str


def load(state_dir: Path | None, homeserver: str, user_id: str) -> SavedLogin | None:
    if state_dir is None:
        return None
    try:
        data = json.loads((state_dir / FILENAME).read_text(encoding="utf-8"))
        saved = SavedLogin(**data)
    except (OSError, ValueError, TypeError):
        return None
    if saved.homeserver != homeserver or saved.user_id != user_id:
        return None
    return saved


def _write(path: Path, data: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def save(state_dir: Path | None, login: SavedLogin) -> None:
    if state_dir is None:
        return
    _write(state_dir / FILENAME, asdict(login))


def load_sync_token(state_dir: Path | None, homeserver: str, user_id: str) -> str | None:
    """The ``next_batch`` the last run reached, for this account on this server."""
    if state_dir is None:
        return None
    try:
        data = json.loads((state_dir / SYNC_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("homeserver") != homeserver \
            or data.get("user_id") != user_id or not isinstance(data.get("next_batch"), str):
        return None
    return str(data["next_batch"])


def save_sync_token(state_dir: Path | None, homeserver: str, user_id: str,
                    token: str) -> bool:
    """Keep the sync token; False (and nothing changed) if the folder cannot be written."""
    if state_dir is None:
        return False
    try:
        _write(state_dir / SYNC_FILENAME, {"homeserver": homeserver, "user_id": user_id,
                                           "next_batch": token})
    except OSError:
        return False
    return True


def forget(state_dir: Path | None) -> None:
    if state_dir is not None:
        with contextlib.suppress(OSError):
            (state_dir / FILENAME).unlink()


DIRECT_FILENAME = "matrix-direct.json"


def _direct_data(state_dir: Path | None, homeserver: str, user_id: str
                 ) -> dict[str, object] | None:
    if state_dir is None:
        return None
    try:
        data = json.loads((state_dir / DIRECT_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("homeserver") != homeserver \
            or data.get("user_id") != user_id or not isinstance(data.get("rooms"), list):
        return None
    return data


def load_direct_rooms(state_dir: Path | None, homeserver: str, user_id: str) -> set[str]:
    """The rooms the bot was invited to as direct chats (only the invite says so: the
    bot's own join event does not, so a restart must remember it), and those it opened
    itself to send reminders."""
    data = _direct_data(state_dir, homeserver, user_id)
    rooms = data.get("rooms") if data is not None else None
    return {str(room) for room in rooms} if isinstance(rooms, list) else set()


def load_direct_people(state_dir: Path | None, homeserver: str, user_id: str
                       ) -> dict[str, str]:
    """Whom each direct chat is with (room id -> user id), where the bot knows it: the
    person who invited it, or whom it invited. Files from before this was kept have none."""
    data = _direct_data(state_dir, homeserver, user_id)
    people = data.get("people") if data is not None else None
    if not isinstance(people, dict):
        return {}
    return {str(room): str(person) for room, person in people.items()
            if isinstance(person, str)}


def save_direct_rooms(state_dir: Path | None, homeserver: str, user_id: str,
                      rooms: set[str], people: dict[str, str] | None = None) -> bool:
    """Keep the direct chats' room ids (and whom they are with); False if the folder
    cannot be written."""
    if state_dir is None:
        return False
    known = {room: person for room, person in (people or {}).items() if room in rooms}
    try:
        _write(state_dir / DIRECT_FILENAME, {"homeserver": homeserver, "user_id": user_id,
                                             "rooms": sorted(rooms),
                                             "people": dict(sorted(known.items()))})
    except OSError:
        return False
    return True
