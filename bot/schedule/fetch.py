"""Fetching a schedule URL, politely and safely: conditional requests (ETag,
If-Modified-Since), a size cap and a timeout, and the last good copy kept on disk so that a
failed fetch keeps serving what was fetched before.

Blocking: it runs in the indexer process (or the CLI), never on the bot's event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
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
                 timeout: float = TIMEOUT_SECONDS,
                 looks_right: Callable[[bytes], bool] | None = None) -> Fetched:
    """The schedule at ``url``, or the copy kept in ``folder`` when the server says it has
    not changed (304) or cannot be reached; never raises.

    ``looks_right`` tells a schedule from, say, an HTML error page served with a 200: only a
    body it accepts replaces the kept copy. ``timeout`` bounds each step (connecting, the
    headers, each read) and the body as a whole: a server that sends a byte now and then
    cannot hold the indexer."""
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
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = _read_body(response, max_bytes, deadline)
            got = {k: v for k, v in (("etag", response.headers.get("ETag")),
                                     ("last_modified", response.headers.get("Last-Modified")))
                   if v}
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304 and kept is not None:
            _touch(folder, url, meta)
            return Fetched(kept)
        return _fallback(kept, meta, f"the server answered {exc.code} {exc.reason}")
    except _TooBig as exc:
        return _fallback(kept, meta, f"it is over {size_text(max_bytes)} "
                                     f"({exc.size:,} bytes; limits.max_schedule_bytes)")
    except _Cut as exc:
        return _fallback(kept, meta, f"the connection closed after {exc.got:,} of "
                                     f"{exc.length:,} bytes")
    except TimeoutError:
        return _fallback(kept, meta, f"it did not answer within {timeout:g} s")
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, TimeoutError):  # while connecting
            return _fallback(kept, meta, f"it did not answer within {timeout:g} s")
        return _fallback(kept, meta, f"it could not be fetched ({_said(reason)})")
    if looks_right is not None and not looks_right(body):
        # a maintenance page with a 200 must not replace the last good schedule
        return _fallback(kept, meta, "it answered with something that is not a schedule "
                                     "export")
    _keep(folder, url, body, got)
    return Fetched(body, fresh=True)


def _read_body(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    """The whole body, within ``max_bytes`` and by ``deadline``; a body cut short of its
    Content-Length is no copy to keep."""
    length = response.headers.get("Content-Length")
    declared = int(length) if length and length.strip().isdigit() else None
    if declared is not None and declared > max_bytes:
        raise _TooBig(declared)
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read1(65536)  # at most one read of the socket: the deadline holds
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise _TooBig(size)
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise TimeoutError
    if declared is not None and size < declared:
        raise _Cut(size, declared)
    return b"".join(chunks)


def _said(reason: object) -> str:
    """An exception's words (clipped: a bad status line is the server's), or its kind
    when it has none."""
    text = " ".join(str(reason).split())
    return (text[:120] + "…" if len(text) > 120 else text) or type(reason).__name__


def size_text(count: int) -> str:
    """"32 MiB", "64 KiB": a size as an admin reads it."""
    return f"{count / 2**20:.4g} MiB" if count >= 2**20 else f"{count / 1024:.4g} KiB"


class _Cut(Exception):
    def __init__(self, got: int, length: int):
        super().__init__(got, length)
        self.got, self.length = got, length


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
