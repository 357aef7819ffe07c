"""Child processes that do not outlive the bot: the indexer a reload starts, and the
readers it forks, die with their parent (Linux's PR_SET_PDEATHSIG; elsewhere a no-op)."""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: signal.Signals = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent exits. True if set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False
