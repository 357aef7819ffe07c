"""Helpers for running ``summit-bot serve --console`` as a real process, bounded in time."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS

HEALTH_LINE = re.compile(r"health and metrics on http://([\d.]+):(\d+)")


def summit_bot() -> list[str]:
    """The CLI, run with this interpreter so the test venv's code is what runs."""
    return [sys.executable, "-m", "bot"]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any of the bot's own variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SUMMIT_BOT_", "DISCORD_", "MATRIX_", "NOTIFY_SOCKET"))}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class _Lines:
    """A stream's lines, collected by a daemon thread, waited on with a timeout."""

    def __init__(self, stream: Any):
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: Any) -> None:
        for line in iter(stream.readline, ""):
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float,
                 what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.lines):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; got:\n"
                                         + "\n".join(self.lines[-40:]))
                self._cond.wait(min(left, 0.2))

    def text(self) -> str:
        with self._cond:
            return "\n".join(self.lines)


class ServeProcess:
    """``summit-bot serve --console`` with the health listener on a free loopback port."""

    def __init__(self, db: Path, corpus: Path, *, extra_args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, new_session: bool = False):
        environ = clean_env(SUMMIT_BOT_CORPUS=str(corpus), SUMMIT_BOT_HEALTH_PORT="0",
                            SUMMIT_BOT_LOG_LEVEL="INFO")
        environ.update(env or {})
        self.proc = subprocess.Popen(
            [*summit_bot(), "serve", "--console", "--db", str(db), *extra_args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=environ, start_new_session=new_session)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.out = _Lines(self.proc.stdout)
        self.err = _Lines(self.proc.stderr)
        self.port = 0

    def wait_ready(self, timeout: float = 20.0) -> None:
        self.err.wait_for(lambda ls: any("serving " in line for line in ls), timeout,
                          "the bot to be serving")
        for line in self.err.lines:
            found = HEALTH_LINE.search(line)
            if found:
                self.port = int(found.group(2))
        assert self.port, "no health listener line in the log"

    def wait_log(self, needle: str, timeout: float = 20.0, count: int = 1) -> None:
        self.err.wait_for(lambda ls: sum(needle in line for line in ls) >= count, timeout,
                          f"{needle!r} ×{count} in the log")

    def ask(self, line: str, timeout: float = 15.0) -> str:
        """Send one console line and return the reply (replies end with a blank line)."""
        assert self.proc.stdin is not None
        before = len(self.out.lines)
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        self.out.wait_for(lambda ls: "" in ls[before:], timeout, f"a reply to {line!r}")
        reply = self.out.lines[before:]
        return "\n".join(reply[:reply.index("")])

    def get(self, path: str) -> tuple[int, bytes]:
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def health(self) -> tuple[int, dict[str, Any]]:
        code, body = self.get("/healthz")
        return code, json.loads(body)

    def signal(self, sig: signal.Signals, *, group: bool = False) -> None:
        if group:
            os.killpg(self.proc.pid, sig)
        else:
            self.proc.send_signal(sig)

    def wait_exit(self, timeout: float = 30.0) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("serve did not exit in time; log:\n" + self.err.text()
                                 ) from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def close(self) -> None:
        self.kill()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


@pytest.fixture
def serve_process() -> Iterator[Callable[..., ServeProcess]]:
    """Start serve processes; every one is killed at the end, whatever happened."""
    started: list[ServeProcess] = []

    def start(db: Path, corpus: Path, **kwargs: Any) -> ServeProcess:
        process = ServeProcess(db, corpus, **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()


@pytest.fixture
def served(tmp_path: Path, corpus_index: Path, corpus_copy: Path) -> tuple[Path, Path]:
    """A private copy of the bundled index and corpus for one serve process."""
    db = tmp_path / "data" / "index.sqlite3"
    db.parent.mkdir()
    shutil.copy(corpus_index, db)
    return db, corpus_copy


@pytest.fixture(scope="session")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Many copies of the bundled notes, so that a reload takes a second or two and a
    signal sent during it lands while it runs."""
    target = tmp_path_factory.mktemp("big-corpus")
    for i in range(60):
        for source in CORPUS.iterdir():
            if source.is_file() and source.name != "README.md":
                shutil.copy(source, target / f"{i:03d}-{source.name}")
    return target
