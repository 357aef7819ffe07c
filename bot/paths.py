"""Where things live by default: the index file and the bundled sample corpus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP = "summit-bot"
STATE_FILE = "state.sqlite3"  # the state database, beside the index unless configured


def default_db_path() -> Path:
    """``$SUMMIT_BOT_DB``, else the user's data folder (XDG on Linux)."""
    env = os.environ.get("SUMMIT_BOT_DB")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path(APP) / "index.sqlite3"


def bundled_corpus() -> Path:
    """The sample notes shipped with the bot: the repository's ``corpus/`` in a checkout or
    an editable install, else the copy installed under ``<prefix>/share/summit-bot``."""
    here = Path(__file__).resolve().parent.parent / "corpus"
    if here.is_dir():
        return here
    for prefix in (sys.prefix, sys.base_prefix, str(Path.home() / ".local")):
        candidate = Path(prefix) / "share" / APP / "corpus"
        if candidate.is_dir():
            return candidate
    return here
