"""Notes meet the schedule: a notes session of a scheduled talk becomes part of it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.corpus.models import Passage, Session, Slot
from bot.schedule.match import MATCH_THRESHOLD, merge_notes_into_schedule
from tests.conftest import CORPUS
from tests.eval.fit_match import scored
from tests.schedule.sample import write_sample


def test_the_fitted_threshold_tells_every_labelled_pair() -> None:
    wrong = [name for score, same, name in scored() if (score >= MATCH_THRESHOLD) != same]
    assert wrong == []


def _talk(title: str, speakers: list[str], text: str, slot: Slot | None = None) -> Session:
    return Session(title=title, source=f"{title}.md", speakers=speakers,
                   passages=[Passage(text)], slot=slot)


def test_matched_notes_join_the_talk_and_others_stay_apart() -> None:
    slot = Slot(start="2030-06-01T10:00:00+02:00", room="Saal 1", uid="u1")
    talk = _talk("Storage at Scale with Ceph", ["Ada Quill"], "The abstract.", slot)
    notes = _talk("Storage at scale with ceph", ["Ada"], "What Ada said.")
    other = _talk("Storage at Scale with Ceph", ["Somebody Else"], "Another talk's notes.")
    unrelated = _talk("Gardening", [], "Tomatoes.")
    merged, count = merge_notes_into_schedule([talk, notes, other, unrelated])
    assert count == 1
    assert [s.title for s in merged] == ["Storage at Scale with Ceph",
                                         "Storage at Scale with Ceph", "Gardening"]
    joined = merged[0]
    assert joined.slot == slot and joined.speakers == ["Ada Quill"]
    assert [p.text for p in joined.passages] == ["What Ada said.", "The abstract."]
    assert [p.position for p in joined.passages] == [0, 1]
    assert joined.source == "Storage at scale with ceph.md"
    assert merged[1].slot is None  # the same title by other people is another talk


def test_index_says_how_many_matched_and_answers_quote_notes_under_the_schedule(
        tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(CORPUS, notes)
    write_sample(notes / "programme")
    (notes / "ceph-at-scale.md").write_text(
        "---\ntitle: Storage at scale with Ceph\nspeakers: [Ada Quill]\n---\n"
        "Ada showed that placement groups are rebalanced when an OSD joins.\n",
        encoding="utf-8")
    db = tmp_path / "i.sqlite3"
    result = CliRunner().invoke(cli, ["index", str(notes), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "1 notes session matched a scheduled talk" in result.output
    asked = CliRunner().invoke(cli, ["ask", "--db", str(db), "--json",
                                     "what did the ceph storage talk say about placement "
                                     "groups?"])
    answer = json.loads(asked.output)
    assert answer["kind"] == "notes"
    assert "placement groups" in answer["passage"]
    assert answer["session"]["title"] == "Storage at Scale with Ceph"
    assert answer["session"]["room"] == "Saal 1"
    assert answer["session"]["start"] == "2030-06-01T10:00:00+02:00"
