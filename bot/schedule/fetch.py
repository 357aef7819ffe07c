"""Fetching a schedule URL, politely and safely: conditional requests (ETag,
If-Modified-Since), a size cap and a timeout, and the last good copy kept on disk so that a
failed fetch keeps serving what was fetched before.

Blocking: it runs in the indexer process (or the CLI), never on the bot's event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot import __version__

TIMEOUT_SECONDS = 20.0
USER_AGENT = f"summit-bot/{__version__} (schedule reader)"


@dataclass(slots=True)
class Fetched:
    """The body to read (fresh, or the last good copy), and what to tell the admin."""

    body: bytes | None
    error: str | None = None  # why there is no body
    note: str | None = None  # why the body is an older copy
    fresh: bool = False  # fetched just now (not a 304, not the kept copy)


def _when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(stamp))


def _paths(folder: Path, url: str) -> tuple[Path, Path]:
    key = hashlib.sha256(url.encode()).hexdigest()[:24]
    return folder / f"{key}.body", folder / f"{key}.json"


def _kept(folder: Path | None, url: str) -> tuple[bytes | None, dict[str, str]]:
    if folder is None:
        return None, {}
    body_path, meta_path = _paths(folder, url)
    try:
        body = body_path.read_bytes()
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, {}
    return body, {str(k): str(v) for k, v in meta.items()} if isinstance(meta, dict) else {}


def _keep(folder: Path | None, url: str, body: bytes, headers: dict[str, str]) -> None:
    """Write the copy whole (temp file, then rename), owner-only."""
    if folder is None:
        return
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        body_path, meta_path = _paths(folder, url)
        meta = {"url": url, "fetched_at": str(time.time()), **headers}
        for path, data in ((body_path, body), (meta_path, json.dumps(meta).encode())):
            temp = path.with_name(path.name + f".{os.getpid()}.tmp")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)


def _touch(folder: Path | None, url: str, meta: dict[str, str]) -> None:
    """Record that the kept copy was confirmed current (a 304)."""
    if folder is None:
        return
    _, meta_path = _paths(folder, url)
    with contextlib.suppress(OSError):
        meta_path.write_text(json.dumps(meta | {"fetched_at": str(time.time())}),
                             encoding="utf-8")


def fetch_source(url: str, folder: Path | None, max_bytes: int,
                 timeout: float = TIMEOUT_SECONDS) -> Fetched:
    """The schedule at ``url``, or the copy kept in ``folder`` when the server says it has
    not changed (304) or cannot be reached; never raises."""
    if not url.startswith(("https://", "http://")):
        return Fetched(None, error="only http:// and https:// schedule URLs are fetched")
    kept, meta = _kept(folder, url)
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if kept is not None:
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _TooBig(int(length))
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise _TooBig(len(body))
            got = {k: v for k, v in (("etag", response.headers.get("ETag")),
                                     ("last_modified", response.headers.get("Last-Modified")))
                   if v}
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and kept is not None:
            _touch(folder, url, meta)
            return Fetched(kept)
        return _fallback(kept, meta, f"the server answered {exc.code} {exc.reason}")
    except _TooBig as exc:
        return _fallback(kept, meta, f"it is over {max_bytes / 2**20:.0f} MiB "
                                     f"({exc.size:,} bytes; limits.max_schedule_bytes)")
    except TimeoutError:
        return _fallback(kept, meta, f"it did not answer within {timeout:.0f} s")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return _fallback(kept, meta, f"it could not be fetched ({reason})")
    _keep(folder, url, body, got)
    return Fetched(body, fresh=True)


class _TooBig(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


def _fallback(kept: bytes | None, meta: dict[str, str], why: str) -> Fetched:
    if kept is None:
        return Fetched(None, error=f"{why}, and there is no earlier copy to serve")
    try:
        since = _when(float(meta.get("fetched_at", "0")))
    except ValueError:
        since = "earlier"
    return Fetched(kept, note=f"{why}; serving the copy fetched {since}")


def fetched_folder_for(index: Path) -> Path:
    """Where the last good copies of schedule URLs are kept: beside the index."""
    return index.with_name(f".{index.name}.schedules")
