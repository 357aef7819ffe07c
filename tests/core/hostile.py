"""A folder of hostile notes, made on the spot: what a careless or malicious contributor
could put beside real notes. Used by the reliability tests (and handy by hand:
``python -m tests.core.hostile DIR``)."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

GOOD = """---
title: Storage Quotas in Practice
speakers: [Ada Example]
---

The speaker explained that quota enforcement in the object store is eventually
consistent, so a burst of uploads can overshoot the limit briefly.
"""
GOOD_QUESTION = "is quota enforcement in the object store eventually consistent?"


def make_hostile_folder(root: Path, *, seed: int = 7) -> dict[str, str]:
    """Write the folder; returns {name: what is wrong with it} for every bad entry."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    bad: dict[str, str] = {}

    def write(name: str, data: bytes | str, why: str) -> Path:
        path = root / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        bad[name] = why
        return path

    (root / "good.md").write_text(GOOD)
    write("random.md", bytes(rng.getrandbits(8) for _ in range(50_000)), "random bytes")
    write("truncated.md", "# Talk\n\nnaïve café ".encode()[:-1] * 1000, "truncated UTF-8")
    write("nul.md", b"# Talk\n\0\0\0 nul bytes\n" * 100, "NUL bytes")
    write("one-line.md", "# Long\n\n" + "word " * 1_100_000, "a 5 MB single line")
    write("bomb.yaml", "a: &a [" + ",".join(["x"] * 10) + "]\n" + "".join(
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "title: boom\n",
        "a YAML alias bomb")
    write("deep-yaml.yaml", "title: " + "[" * 5000 + "]" * 5000 + "\n", "YAML nested 5,000 deep")
    write("bad-date.yaml", "title: Dated\ndate: 2023-13-45\nnotes: text\n", "an impossible date")
    write("big-number.yaml", "title: Numbers\ncount: " + "9" * 90_000 + "\nnotes: text\n",
          "a 90,000-digit number")
    write("deep-bullets.md", "# Deep\n\n" + "".join(
        "  " * i + "- item\n" for i in range(700)), "Markdown bullets 700 deep")
    write("comment.md", "# Talk\n\ntext\n" + "<!-- x\n" * 150_000, "1 MB of unclosed <!--")
    write("template.md", "# Talk\n\ntext\n" + "{% y\n" * 100_000 + "{{ z\n" * 100_000
          + "{# w\n" * 100_000, "1 MB of unclosed {%, {{ and {#")
    write("many.md", "".join(f"# Session {i}\n\nline {i}\n\n" for i in range(50_000)),
          "50,000 sessions in one file")
    os.mkfifo(root / "pipe.md")
    bad["pipe.md"] = "a FIFO"
    os.symlink("/dev/zero", root / "zero.md")
    bad["zero.md"] = "a symlink to /dev/zero"
    os.symlink(root / "loop-b.md", root / "loop-a.md")
    os.symlink(root / "loop-a.md", root / "loop-b.md")
    bad["loop-a.md"] = bad["loop-b.md"] = "a symlink loop"
    os.symlink("/etc/hostname", root / "outside.md")
    bad["outside.md"] = "a symlink leaving the notes folder"
    (root / "folder.md").mkdir()
    bad["folder.md"] = "a directory named like a file"
    os.symlink(root.parent, root / "parent-link")
    bad["parent-link"] = "a directory symlink (out of the folder)"
    odd = os.fsencode(root) + b"/bad-\xff-name.md"
    with open(odd, "wb") as handle:
        handle.write(b"# Odd name\n\nnotes\n")
    bad["bad-\udcff-name.md"] = "a file name that is not UTF-8"
    locked = write("unreadable.md", "# Secret\n\ntext\n", "an unreadable file")
    locked.chmod(0)
    return bad


if __name__ == "__main__":
    print("\n".join(f"{k}: {v}" for k, v in make_hostile_folder(Path(sys.argv[1])).items()))
