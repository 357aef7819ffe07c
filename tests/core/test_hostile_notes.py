"""A folder of hostile notes (tests/core/hostile.py) is indexed in bounded time and
memory: each bad entry is named with its reason, and the good file is answerable."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.corpus.text import clean_text
from tests.core.hostile import GOOD_QUESTION, make_hostile_folder


def test_hostile_folder_is_indexed_within_bounds(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    bad = make_hostile_folder(notes)
    db = tmp_path / "index.sqlite3"
    summit_bot = Path(sys.executable).with_name("summit-bot")
    done = subprocess.run([str(summit_bot), "index", str(notes), "--db", str(db)],
                          capture_output=True, text=True, timeout=120, check=False)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert done.returncode == 0, done.stderr
    assert peak_mb < 1024, f"the indexer peaked at {peak_mb:.0f} MB"
    report = done.stdout + done.stderr
    assert "Traceback" not in report
    skipped = {line.split(":", 1)[0].strip().removeprefix("skipped ")
               for line in report.splitlines() if line.strip().startswith("skipped ")}
    must_skip = {"pipe.md", "zero.md", "loop-a.md", "loop-b.md", "outside.md",
                 "parent-link", "bomb.yaml", "deep-yaml.yaml", "many.md", "one-line.md",
                 "random.md", "nul.md", "bad-\\xff-name.md"}
    if os.geteuid() != 0:  # root reads any file
        must_skip.add("unreadable.md")
    assert must_skip <= skipped, must_skip - skipped
    assert set(skipped) <= set(bad) | {"bad-\\xff-name.md"}  # nothing good was dropped
    for line in report.splitlines():  # reasons are sentences, not Python errors
        if line.strip().startswith("skipped "):
            assert "Error(" not in line and "Errno" not in line, line
    answered = subprocess.run([str(summit_bot), "ask", "--db", str(db), "--json",
                               GOOD_QUESTION], capture_output=True, text=True, timeout=60,
                              check=False)
    assert '"Storage Quotas in Practice"' in answered.stdout


@pytest.mark.parametrize("worst", ["<!--", "<!-- x\n", "{%", "{{", "{#", "<a ", "<a\n"])
def test_each_cleaner_is_linear_on_its_worst_case(worst: str) -> None:
    """1 MB of unclosed openers costs about what 1 MB of plain text does (a backtracking
    pattern took minutes); compared as a ratio, so a slow machine does not matter."""
    def seconds(text: str) -> float:
        started = time.perf_counter()
        clean_text(text)
        return time.perf_counter() - started

    size = 1_000_000
    plain = seconds(("plain words on a line\n" * (size // 22 + 1))[:size])
    hostile = seconds((worst * (size // len(worst) + 1))[:size])
    assert hostile < 20 * plain + 0.05, (hostile, plain)
