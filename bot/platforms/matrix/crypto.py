"""The bot's end-to-end encryption keys: where they live and how they are kept safe.

matrix-nio (with vodozemac) keeps the device's Olm account and Megolm sessions in a SQLite
store. The store lives in ``matrix.state_dir`` (a folder only the bot's user can enter,
files owner-only), encrypted at rest with a pickle key made once into a file of its own (or
given by ``MATRIX_PICKLE_KEY_FILE``). Losing the store means a new device: people's clients
then see a new, unverified device, so it is kept for good and never logged out.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

PICKLE_KEY_FILE = "pickle.key"


class CryptoStoreError(Exception):
    """The state folder or its keys cannot be used; the message says what to do."""


@contextlib.contextmanager
def owner_only() -> Iterator[None]:
    """Files created in the block are owner-only (a umask of 077), whatever the process's
    umask is; SQLite's journal and WAL files made meanwhile included."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def prepare_folder(folder: Path) -> None:
    """The state folder, made 0700 (and tightened if it was wider); files in it 0600."""
    try:
        with owner_only():
            folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        tighten(folder)
    except OSError as exc:
        raise CryptoStoreError(
            f"matrix: the state folder {folder} cannot be used ({exc.strerror or exc}); "
            "set matrix.state_dir to a folder the bot's user can create and write") from exc


def tighten(folder: Path) -> None:
    """Make every file in the folder owner-only (the store's -journal and -wal files are
    created by SQLite as it goes)."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if entry.is_file() and not entry.is_symlink() and \
                    entry.stat().st_mode & 0o077:
                os.chmod(entry, 0o600)


def pickle_key(folder: Path | None, key_file: Path | None) -> str:
    """The key the store is encrypted with: from ``key_file``, else made once into the
    state folder; with no folder (keys kept in memory only), a fresh one."""
    if key_file is not None:
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CryptoStoreError(f"matrix.pickle_key_file {key_file} cannot be read "
                                   f"({exc.strerror or exc}); point it at a readable file "
                                   "holding the key, or leave it unset to have one made "
                                   "in the state folder") from exc
        if not key:
            raise CryptoStoreError(f"matrix.pickle_key_file {key_file} is empty")
        return key
    if folder is None:
        return secrets.token_urlsafe(32)
    path = folder / PICKLE_KEY_FILE
    try:
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CryptoStoreError(f"matrix: {path} cannot be read ({exc.strerror or exc})") \
            from exc
    key = secrets.token_urlsafe(32)
    try:
        with owner_only():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(key + "\n")
    except OSError as exc:
        raise CryptoStoreError(f"matrix: {path} cannot be written ({exc.strerror or exc}); "
                               "make the state folder writable by the bot's user") from exc
    return key
