"""systemd's readiness protocol (``Type=notify``), without a library: one datagram to
``$NOTIFY_SOCKET``. Under systemd the unit is "active" only once the index is open, and
``systemctl status`` shows what the bot is doing; elsewhere this does nothing."""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def notify(*fields: str) -> bool:
    """Send ``READY=1``, ``STATUS=...``, ``STOPPING=1``...; False when not under systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address or not fields:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall("\n".join(fields).encode())
    except OSError as exc:
        log.debug("could not notify systemd: %s", exc)
        return False
    return True
