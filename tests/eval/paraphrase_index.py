"""The index the paraphrase-set scripts measure on: all corpora and the seed in one index,
optionally with the semantic extra's passage vectors.

With ``--db PATH`` the index is kept at PATH: passage vectors are computed once and reused
by every later run (a rebuild embeds only changed passages), so the fit scripts can be
rerun in seconds with the semantic model too.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.answer import Answerer
from bot.answer.evaluate import EvalItem, load_items
from bot.corpus import load_corpus
from bot.search.build import build_index
from bot.search.index import Index
from bot.search.semantic import load_embedder
from tests.conftest import SHARED

PARAPHRASES = SHARED / "eval" / "paraphrase.yaml"
TRAIN = SHARED / "eval" / "train.yaml"
# What every constant and model is fitted on (issue: fit on train + tune, report check).
FIT_SPLITS = ("train", "tune")


def split_items(split: str) -> list[EvalItem]:
    """A split's questions, from whichever shared file holds it (train.yaml holds train)."""
    if split == "train":
        return load_items(TRAIN, split="train")
    return load_items(PARAPHRASES, split=split)


def fit_items() -> list[EvalItem]:
    """train + tune: the questions constants are fitted on."""
    return [item for split in FIT_SPLITS for item in split_items(split)]


def answerable(split: str) -> list[EvalItem]:
    """The split's questions that the notes answer ("fit": train and tune together)."""
    items = fit_items() if split == "fit" else split_items(split)
    return [i for i in items if i.session is not None]


def tally(rights: list[bool]) -> tuple[int, int]:
    """(right first, right among those shown) for one question's shown passages, best first."""
    return int(bool(rights and rights[0])), int(any(rights))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--semantic", metavar="MODEL", default=None,
                        help="measure with the semantic extra (e.g. all-MiniLM-L6-v2)")
    parser.add_argument("--db", type=Path, default=None,
                        help="keep the index here (vectors are reused between runs)")


@contextmanager
def paraphrase_index(db: Path | None, semantic: str | None, **build: float) -> Iterator[Path]:
    """Build (or refresh) the index and yield its path."""
    with tempfile.TemporaryDirectory() as tmp:
        path = db or Path(tmp) / "all.sqlite3"
        embedder = load_embedder(semantic, now=False) if semantic else None
        build_index(load_corpus([SHARED / "corpora", SHARED / "seed"]), path,
                    embedder=embedder, **build)  # type: ignore[arg-type]
        yield path


async def open_answerer(db: Path) -> tuple[Index, Answerer]:
    """The index and an answerer as the bot would make them (with the model it names)."""
    index = await Index.open(db)
    embedder = load_embedder(index.semantic_model) if index.semantic_model else None
    return index, await Answerer.create(index, embedder)
