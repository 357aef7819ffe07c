"""A build never harms the index that is serving: it is written aside and swapped in."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.corpus import load_corpus
from bot.search import build as build_module
from bot.search.build import build_index
from bot.search.index import Index, IndexMissing, IndexVersionMismatch
from bot.search.tokenizer import tokenize
from tests.conftest import CORPUS

BIG_BUILD = """
import sys
from bot.corpus.models import LoadReport, Passage, Session
from bot.search.build import build_index
sessions = [Session(title=f"T{i}", source="x", passages=[
    Passage(text=f"word{i % 997} filler text number {j} about storage {i * j % 1013}", position=j)
    for j in range(40)]) for i in range(3000)]
print("ready", flush=True)
build_index(LoadReport(sessions=sessions), sys.argv[1],
            progress=lambda phase: print(phase, flush=True))
"""


async def _top(db: Path, question: str) -> list[tuple[int, float]]:
    index = await Index.open(db)
    try:
        return await index.search(tokenize(question))
    finally:
        await index.close()


@pytest.mark.parametrize("phase", ["ready", "scoring", "writing"])
async def test_killed_build_leaves_old_index_serving(
        tmp_path: Path, corpus_index: Path, phase: str) -> None:
    """Killed while tokenizing, while scoring, and while writing the new file."""
    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    before = await _top(db, "ceph crush placement")
    proc = subprocess.Popen([sys.executable, "-c", BIG_BUILD, str(db)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    while (line := proc.stdout.readline().strip()) != phase:
        assert line, "the build ended before the phase to kill it in"
    time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be killed"
    proc.kill()
    proc.wait(timeout=10)
    assert await _top(db, "ceph crush placement") == before
    # the next build cleans up what the killed one left behind
    build_index(load_corpus([CORPUS]), db)
    assert not list(tmp_path.glob(".index.sqlite3.build-*"))
    assert await _top(db, "ceph crush placement") == before


async def test_failing_build_keeps_old_index_and_no_temp(
        tmp_path: Path, corpus_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    before = db.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module, "compute_postings", boom)
    with pytest.raises(OSError):
        build_index(load_corpus([CORPUS]), db)
    assert db.read_bytes() == before
    assert list(tmp_path.iterdir()) == [db]


async def test_open_serving_index_survives_a_swap(tmp_path: Path, corpus_index: Path) -> None:
    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    index = await Index.open(db)
    try:
        old = await index.search(tokenize("reddwarf openvz"))
        other = tmp_path / "other"
        other.mkdir()
        (other / "x.md").write_text("# Other\n\nNothing about databases.\n")
        build_index(load_corpus([other]), db)  # replaced on disk under the open index
        assert await index.search(tokenize("reddwarf openvz")) == old
    finally:
        await index.close()
    assert await _top(db, "reddwarf openvz") == []


async def test_other_schema_version_says_to_reindex(tmp_path: Path, corpus_index: Path) -> None:
    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(IndexVersionMismatch, match="summit-bot index"):
        await Index.open(db)


async def test_not_an_index(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("this is not sqlite")
    with pytest.raises(IndexVersionMismatch, match="not a summit-bot index"):
        await Index.open(junk)
    with pytest.raises(IndexMissing, match="summit-bot index"):
        await Index.open(tmp_path / "missing.sqlite3")


async def test_sessions_must_be_numbered_by_position(tmp_path: Path,
                                                     corpus_index: Path) -> None:
    """Commands look a session up by id in ``Index.sessions``: a gap is refused on open."""
    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sessions SET id = 999 WHERE id = (SELECT max(id) FROM sessions)")
    with pytest.raises(IndexVersionMismatch, match="not numbered"):
        await Index.open(db)


async def test_start_rebuilds_an_index_of_another_version_only(tmp_path: Path,
                                                               corpus_index: Path) -> None:
    """An upgrade's new schema is rebuilt from the notes at start; a file that is not an
    index is never overwritten."""
    from bot.commands import SummitService

    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    service = SummitService(db, [CORPUS])
    await service.start()
    try:
        assert service.index.sessions
    finally:
        await service.close()
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("this is not sqlite")
    service = SummitService(junk, [CORPUS])
    with pytest.raises(IndexVersionMismatch):
        await service.start()
    assert junk.read_text() == "this is not sqlite"
