"""Reading notes from disk into sessions and passages (no platform code here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.corpus.models import LoadReport, Passage, Session, SkippedFile

if TYPE_CHECKING:
    from bot.corpus.loader import load_corpus

__all__ = ["LoadReport", "Passage", "Session", "SkippedFile", "load_corpus"]


def __getattr__(name: str) -> Any:
    """``load_corpus`` is imported on first use: the readers (docutils, markdown-it) are
    heavy, and modules that only need ``bot.corpus.limits`` or the models (the config, the
    CLI's quick commands) should not pay for them."""
    if name == "load_corpus":
        from bot.corpus.loader import load_corpus

        return load_corpus
    raise AttributeError(name)
