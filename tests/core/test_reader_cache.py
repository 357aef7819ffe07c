"""Unchanged notes are not parsed again; a changed file, or a broken cache, is read afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus import loader
from bot.corpus.loader import load_corpus


def _notes(folder: Path) -> Path:
    folder.mkdir()
    for n in range(3):
        (folder / f"talk-{n}.md").write_text(f"# Talk {n}\n\nNotes of talk {n} about storage.\n",
                                             encoding="utf-8")
    return folder


def test_unchanged_files_come_from_the_cache(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    notes, cache = _notes(tmp_path / "notes"), tmp_path / "cache"
    first = load_corpus([notes], cache=cache, workers=1)
    read: list[str] = []
    real = loader.read_note_file
    monkeypatch.setattr(loader, "read_note_file",
                        lambda path, source, *rest: read.append(source)
                        or real(path, source, *rest))
    (notes / "talk-1.md").write_text("# Talk One\n\nNew notes.\n", encoding="utf-8")
    second = load_corpus([notes], cache=cache, workers=1)
    assert read == ["talk-1.md"]  # only the changed file was parsed
    assert [s.title for s in second.sessions] == ["Talk 0", "Talk One", "Talk 2"]
    assert second.sessions[0] == first.sessions[0]


def test_a_broken_cache_only_means_reading_again(tmp_path: Path) -> None:
    notes, cache = _notes(tmp_path / "notes"), tmp_path / "cache"
    cache.write_bytes(b"this is not a database" * 100)
    report = load_corpus([notes], cache=cache, workers=1)
    assert [s.title for s in report.sessions] == ["Talk 0", "Talk 1", "Talk 2"]
    assert not report.skipped
