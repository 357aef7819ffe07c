"""Reading notes from disk into sessions and passages (no platform code here)."""

from bot.corpus.loader import load_corpus
from bot.corpus.models import LoadReport, Passage, Session, SkippedFile

__all__ = ["LoadReport", "Passage", "Session", "SkippedFile", "load_corpus"]
