"""What the readers make of a folder of notes, in a few counts: for trying the readers on
notes from elsewhere (a clone of someone's conference-notes repository) before and after a
change, without copying those notes into this repository.

    python -m tests.corpus.survey FOLDER... [--list]

Per folder: files read, sessions, sessions with speakers, with a date, and files that hold
several sessions; ``--list`` prints every session (source, title, speakers, date).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bot.corpus.loader import load_corpus


def survey(folder: Path, listing: bool) -> tuple[int, int, int, int, int]:
    report = load_corpus([folder])
    sessions = report.sessions
    per_file = Counter(s.source for s in sessions)
    if listing:
        for s in sessions:
            print(f"  {s.source} | {s.title} | {', '.join(s.speakers)} | {s.date or ''}")
        for skipped in report.skipped:
            print(f"  skipped {skipped.path}: {skipped.reason}")
    return (report.files_read, len(sessions), sum(1 for s in sessions if s.speakers),
            sum(1 for s in sessions if s.date), sum(1 for n in per_file.values() if n > 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--list", action="store_true", help="print every session")
    args = parser.parse_args()
    totals = [0] * 5
    print(f"{'folder':40} {'files':>6} {'sessions':>9} {'speakers':>9} {'dated':>6} "
          f"{'split':>6}")
    for folder in args.folders:
        row = survey(folder, args.list)
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        print(f"{folder.name[:40]:40} " + " ".join(
            f"{v:>{w}}" for v, w in zip(row, (6, 9, 9, 6, 6), strict=True)))
    if len(args.folders) > 1:
        print(f"{'all':40} " + " ".join(
            f"{v:>{w}}" for v, w in zip(totals, (6, 9, 9, 6, 6), strict=True)))


if __name__ == "__main__":
    main()
