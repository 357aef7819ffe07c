"""The bot's Matrix device, kept after a password login so restarts reuse one device
instead of piling up new ones. The file holds a token: it is written owner-only."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FILENAME = "matrix-session.json"


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


def save(state_dir: Path | None, login: SavedLogin) -> None:
    if state_dir is None:
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / FILENAME
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(login), handle)
    os.replace(temp, path)


def forget(state_dir: Path | None) -> None:
    if state_dir is not None:
        with contextlib.suppress(OSError):
            (state_dir / FILENAME).unlink()
