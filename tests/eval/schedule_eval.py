"""Schedule answers on the shared question set, the way a user would get them.

    .venv/bin/python -m tests.eval.schedule_eval [--db FILE] [--misses]

Indexes the three shared exports with ``summit-bot index --config
../shared/schedules/schedules.yaml``, asks each question of ``../shared/eval/schedule.yaml``
with ``summit-bot ask --json`` at its own ``--now`` (none when the item has none), and
scores the answers with ``../shared/eval/schedule_score.py``. Prints the scorer's output.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from tests.conftest import SHARED

QUESTIONS = SHARED / "eval" / "schedule.yaml"
SCORER = SHARED / "eval" / "schedule_score.py"
CONFIG = SHARED / "schedules" / "schedules.yaml"
BOT = [sys.executable, "-m", "bot"]


def answers(db: Path, questions: Path = QUESTIONS) -> str:
    """One JSON line per question, each asked at its own moment."""
    groups: dict[str | None, list[str]] = {}
    for item in yaml.safe_load(questions.read_text(encoding="utf-8")):
        now = item.get("now")
        groups.setdefault(str(now) if now else None, []).append(item["q"])
    out = []
    for now, texts in groups.items():
        command = [*BOT, "ask", "--db", str(db), "--json", *(["--now", now] if now else [])]
        done = subprocess.run(command, input="\n".join(texts) + "\n", capture_output=True,
                              text=True, check=True)
        out.append(done.stdout)
    return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None, help="index to build and read")
    parser.add_argument("--misses", action="store_true", help="also print each miss")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or Path(folder) / "schedules.sqlite3"
        subprocess.run([*BOT, "index", "--config", str(CONFIG), "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL)
        got = Path(folder) / "answers.jsonl"
        got.write_text(answers(db), encoding="utf-8")
        scored = subprocess.run([sys.executable, str(SCORER), str(QUESTIONS), str(got)],
                                capture_output=True, text=True, check=True)
        if args.misses:
            sys.stderr.write(scored.stderr)
        sys.stdout.write(scored.stdout)


if __name__ == "__main__":
    main()
