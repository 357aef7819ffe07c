"""Compare what the readers make of the real notes with titles and speakers checked by hand.

The hand-checked lists are in ``tests/corpus/expected/*.yaml``, one per corpus of
``../shared/corpora`` (and the seed). Run as a script for a table and every difference:

    python -m tests.corpus.expected_check [--verbose]

``tests/corpus/test_expected_sessions.py`` holds the same figures to their goals.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.corpus.loader import load_corpus
from bot.corpus.models import Session

EXPECTED_DIR = Path(__file__).parent / "expected"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS_ROOTS = {
    "daneah": "corpora/daneah-conference-notes",
    "k8s": "corpora/k8s-contributor-summit-notes",
    "lastcoolnameleft": "corpora/lastcoolnameleft-conference-notes",
    "rdo": "corpora/rdo-openstack-hongkong-2013-proposals",
    "barcelona": "corpora/openstack-barcelona-2016-proposals",
    "seed": "seed",
}


def normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


@dataclass
class Score:
    corpus: str
    sessions: int = 0
    titles_right: int = 0
    speakers_right: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


def _title_ok(expected: dict, got: Session) -> bool:
    wanted = [expected["title"], *expected.get("title_alt", [])]
    return normalise(got.title) in {normalise(t) for t in wanted}


def _speakers_ok(expected: dict, got: Session) -> bool:
    wanted = sorted(normalise(s) for s in expected.get("speakers") or [])
    alts = [sorted(normalise(s) for s in alt) for alt in expected.get("speakers_alt", [])]
    return sorted(normalise(s) for s in got.speakers) in [wanted, *alts]


def _similarity(expected: dict, got: Session) -> float:
    wanted = [expected["title"], *expected.get("title_alt", [])]
    return max(fuzz.token_set_ratio(normalise(w), normalise(got.title)) for w in wanted)


def score_corpus(name: str, root: Path | None = None) -> Score:
    """Read one corpus and score it against its hand-checked list."""
    root = root or SHARED / CORPUS_ROOTS[name]
    entries = yaml.safe_load((EXPECTED_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    report = load_corpus([root])
    by_file: dict[str, list[Session]] = {}
    for session in report.sessions:
        by_file.setdefault(session.source, []).append(session)
    score = Score(name)
    for entry in entries:
        got = list(by_file.get(entry["file"], []))
        sample = bool(entry.get("sample"))
        for expected in entry.get("sessions") or []:
            score.sessions += 1
            best = max(got, key=lambda s, e=expected: _similarity(e, s), default=None)  # type: ignore[misc]
            if best is None or _similarity(expected, best) < 60:
                score.missing.append(f"{entry['file']}: {expected['title']!r}")
                continue
            got.remove(best)
            title_ok, speakers_ok = _title_ok(expected, best), _speakers_ok(expected, best)
            score.titles_right += title_ok
            score.speakers_right += speakers_ok
            if not (title_ok and speakers_ok):
                score.wrong.append(
                    f"{entry['file']}:\n      want {expected['title']!r} {expected.get('speakers')}"
                    f"\n      got  {best.title!r} {best.speakers}")
        if not sample:
            score.extra.extend(f"{entry['file']}: {s.title!r}" for s in got)
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", default=sorted(CORPUS_ROOTS))
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: nothing to check", file=sys.stderr)
        return 1
    totals = Score("all")
    print(f"{'corpus':18} {'sessions':>8} {'titles':>7} {'speakers':>8} {'missing':>7} "
          f"{'extra':>5}")
    for name in args.corpora:
        if not (EXPECTED_DIR / f"{name}.yaml").exists():
            continue
        s = score_corpus(name)
        print(f"{name:18} {s.sessions:8} {s.titles_right / max(s.sessions, 1):7.0%} "
              f"{s.speakers_right / max(s.sessions, 1):8.0%} {len(s.missing):7} {len(s.extra):5}")
        totals.sessions += s.sessions
        totals.titles_right += s.titles_right
        totals.speakers_right += s.speakers_right
        totals.missing += s.missing
        totals.extra += s.extra
        totals.wrong += s.wrong
    print(f"{'all':18} {totals.sessions:8} {totals.titles_right / max(totals.sessions, 1):7.0%} "
          f"{totals.speakers_right / max(totals.sessions, 1):8.0%} {len(totals.missing):7} "
          f"{len(totals.extra):5}")
    if args.verbose:
        for label, rows in (("missing", totals.missing), ("extra", totals.extra),
                            ("wrong", totals.wrong)):
            for row in rows:
                print(f"  {label}: {row}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
