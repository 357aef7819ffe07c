"""Processes kept within bounds: the indexer a reload starts, and the readers it forks,
die with their parent (Linux's PR_SET_PDEATHSIG; elsewhere a no-op), and work can be
given a time budget (SIGALRM)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

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


class TimeUp(Exception):
    """A time budget (:func:`alarm_after`) ran out."""


@contextlib.contextmanager
def alarm_after(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeUp` in the block after ``seconds`` (a SIGALRM timer, so only in a
    process's main thread; elsewhere, or with ``seconds`` <= 0, the block is unbounded).

    Budgets nest: an inner one that would end after the enclosing one is not set (the outer
    stays in charge), and the outer's remaining time is put back when the inner ends."""
    usable = (seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0] if usable else 0.0
    if not usable or (outer_left and outer_left <= seconds):
        yield
        return

    fired = False

    def expired(signum: int, frame: Any) -> None:
        nonlocal fired
        fired = True
        raise TimeUp

    previous = signal.signal(signal.SIGALRM, expired)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
    if fired:
        # The alarm went off where its exception could not get out (a finalizer or a
        # garbage-collection callback swallows it with "Exception ignored"): the budget
        # still ran out, so say so now that the block is over.
        raise TimeUp


def too_slow(seconds: float, semantic_model: str | None) -> str:
    """The sentence for an index build stopped by its time budget. With a semantic model,
    embedding every passage is what a first build spends its time on (a larger model over
    thousands of passages can take longer than the default budget), so raising the budget
    is the fix, not splitting files."""
    advice = (f"embedding passages with {semantic_model} is the slow part of a first build "
              "with it (later builds reuse the vectors): raise limits.indexer_seconds in "
              "the config" if semantic_model else "check the largest files")
    return (f"indexing took longer than {seconds:g} s (limits.indexer_seconds) and was "
            f"stopped; {advice}")
