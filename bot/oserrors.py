"""Operating-system failures as one sentence that names the path and says what to do:
what ``index``, ``report`` and ``serve`` print instead of a traceback (``--debug`` shows
it)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path


def os_sentence(exc: BaseException, path: Path | str | None, doing: str) -> str:
    """E.g. ``cannot write the index /data/x.sqlite3: the disk is full; free some space``."""
    where = f" {path}" if path else ""
    text = str(exc)
    number = getattr(exc, "errno", None)
    if number in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or "disk is full" in text \
            or "disk I/O error" in text:
        advice = "the disk is full (or its quota is used up); free some space and try again"
    elif number == errno.EROFS or "readonly database" in text or "read-only" in text:
        advice = "the file system is read-only; choose a writable location"
    elif number in (errno.EACCES, errno.EPERM):
        advice = "permission denied; make it writable by this user or choose another path"
    elif number == errno.ENOENT:
        missing = getattr(exc, "filename", None) or (Path(path).parent if path else ".")
        advice = f"{missing} does not exist and cannot be made; create it or choose another path"
    elif number == errno.ENOTDIR or number == errno.EISDIR:
        advice = "a folder is in the way of a file, or the other way round; check the path"
    elif "unable to open" in text:
        folder = Path(path).parent if path else Path(".")
        advice = (f"SQLite cannot create or open it; check that {folder} exists and this "
                  "user may write there")
    elif "locked" in text:
        advice = "another process holds it locked; wait for it to finish or stop it"
    elif isinstance(exc, sqlite3.DatabaseError):
        advice = f"it is not a usable SQLite file ({text}); remove it or choose another path"
    else:
        advice = getattr(exc, "strerror", None) or text or type(exc).__name__
    return f"cannot {doing}{where}: {advice}."
