"""A real Synapse homeserver on 127.0.0.1 for the Matrix tests.

Synapse lives in a venv of its own (``.ci/run`` installs it and sets ``SYNAPSE_PYTHON``).
SQLite database, no federation listener, users created through the admin API with a shared
secret, and every rate limit raised so that the tests measure the bot, not the limiter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

SERVER_NAME = "summit.test"
_LOOSE = {"per_second": 10000, "burst_count": 100000}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def homeserver_config(folder: Path, port: int, shared_secret: str) -> dict[str, Any]:
    return {
        "server_name": SERVER_NAME,
        "pid_file": str(folder / "homeserver.pid"),
        "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http",
                       "tls": False, "x_forwarded": False,
                       "resources": [{"names": ["client"], "compress": False}]}],
        "database": {"name": "sqlite3", "args": {"database": str(folder / "homeserver.db")}},
        "log_config": str(folder / "log.yaml"),
        "media_store_path": str(folder / "media"),
        "signing_key_path": str(folder / "signing.key"),
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "enable_registration": False,
        "bcrypt_rounds": 4,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "presence": {"enabled": False},
        "rc_message": _LOOSE,
        "rc_registration": _LOOSE,
        "rc_login": {"address": _LOOSE, "account": _LOOSE, "failed_attempts": _LOOSE},
        "rc_joins": {"local": _LOOSE, "remote": _LOOSE},
        "rc_joins_per_room": _LOOSE,
        "rc_invites": {"per_room": _LOOSE, "per_user": _LOOSE, "per_issuer": _LOOSE},
        "rc_3pid_validation": _LOOSE,
        "rc_admin_redaction": _LOOSE,
        "rc_room_creation": _LOOSE,
    }


class Synapse:
    """Start, stop and restart a homeserver; register users."""

    def __init__(self, python: str, folder: Path):
        self.python = python
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.shared_secret = secrets.token_hex(16)
        self.proc: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        key = base64.b64encode(os.urandom(32)).decode().rstrip("=")
        (folder / "signing.key").write_text(f"ed25519 a_test {key}\n")
        (folder / "log.yaml").write_text(yaml.safe_dump({
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
            "handlers": {"file": {"class": "logging.FileHandler", "formatter": "plain",
                                  "filename": str(folder / "homeserver.log")}},
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }))
        (folder / "homeserver.yaml").write_text(yaml.safe_dump(
            homeserver_config(folder, self.port, self.shared_secret)))

    def start(self, timeout: float = 60.0) -> None:
        self.proc = subprocess.Popen(
            [self.python, "-m", "synapse.app.homeserver", "-c",
             str(self.folder / "homeserver.yaml")],
            cwd=self.folder, stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "stderr.log", "ab"))  # noqa: SIM115
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("Synapse exited: "
                                   + (self.folder / "stderr.log").read_text()[-2000:])
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions",
                                            timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Synapse did not start in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def register(self, username: str, password: str, admin: bool = False) -> str:
        """Create a user through the shared-secret admin API; returns the user id."""
        nonce = self._call("GET", "/_synapse/admin/v1/register")["nonce"]
        # the MAC covers the parts separated by NULs, with no NUL after the last one
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join(p.encode() for p in (nonce, username, password,
                                                      "admin" if admin else "notadmin")))
        digest = mac.hexdigest()
        result = self._call("POST", "/_synapse/admin/v1/register", {
            "nonce": nonce, "username": username, "password": password, "admin": admin,
            "mac": digest})
        return str(result["user_id"])
