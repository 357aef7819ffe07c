"""OS failures of ``summit-bot index`` are one sentence naming the path and what to do,
exit code 1, never a traceback; ``--debug`` shows the traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS

SUMMIT_BOT = str(Path(sys.executable).with_name("summit-bot"))


def _index(*args: str, preexec: object = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SUMMIT_BOT, *args], capture_output=True, text=True, timeout=120,
                          check=False, preexec_fn=preexec)  # type: ignore[arg-type]


def test_a_full_disk_is_one_sentence(tmp_path: Path) -> None:
    """A file-size ceiling on the process stands in for a full disk (EFBIG, as ENOSPC)."""
    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))

    db = tmp_path / "index.sqlite3"
    done = _index("index", str(CORPUS), "--db", str(db), preexec=small_disk)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"cannot write the index {db}: the disk is full" in done.stderr
    assert not db.exists() and not list(tmp_path.glob(".index.sqlite3.build-*"))

    debug = _index("--debug", "index", str(CORPUS), "--db", str(db), preexec=small_disk)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_is_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = _index("index", str(CORPUS), "--db", str(folder / "index.sqlite3"))
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert str(folder) in done.stderr


def test_an_unwritable_place_is_one_sentence(tmp_path: Path) -> None:
    target = Path("/proc/summit-bot-test/index.sqlite3")  # no one may create files there
    done = _index("index", str(CORPUS), "--db", str(target))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.startswith("Error")]) == 1
    assert "/proc/summit-bot-test" in done.stderr


def test_a_missing_notes_folder_is_named(tmp_path: Path) -> None:
    done = _index("index", str(tmp_path / "nowhere"), "--db", str(tmp_path / "i.sqlite3"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"skipped {tmp_path / 'nowhere'}: it does not exist" in done.stderr
