"""Two talks with one title: both kept as written, told apart where people pick one."""

from __future__ import annotations

from pathlib import Path

from bot.commands import SummitService
from bot.commands.results import SessionNotFound, SessionReply
from bot.corpus import load_corpus
from bot.search.build import build_index


async def _service(tmp_path: Path) -> SummitService:
    notes = tmp_path / "notes"
    for summit, speaker in (("DockerCon-2017", "Jane Roe"), ("KubeCon-2017", "John Doe")):
        (notes / summit).mkdir(parents=True)
        (notes / summit / "day-1-keynote.md").write_text(
            f"# Day 1 Keynote\n\n* {speaker} - CTO, Acme\n\n* {summit} opened with a demo "
            "of containers in production.\n", encoding="utf-8")
    db = tmp_path / "index.sqlite3"
    build_index(load_corpus([notes]), db)
    service = SummitService(db, [notes])
    await service.open_existing()
    return service


async def test_a_repeated_title_is_told_apart_in_autocomplete_and_lookup(tmp_path: Path) -> None:
    service = await _service(tmp_path)
    try:
        titles = [s.title for s in service.index.sessions]
        assert titles == ["Day 1 Keynote", "Day 1 Keynote"]  # as written, no path appended
        labels = service.autocomplete("day 1 keyn", 25)
        assert sorted(labels) == ["Day 1 Keynote (Jane Roe)", "Day 1 Keynote (John Doe)"]
        reply = await service.session("Day 1 Keynote (John Doe)")
        assert isinstance(reply, SessionReply) and reply.session.speakers == ("John Doe",)
        ambiguous = await service.session("day 1 keynote")
        assert isinstance(ambiguous, SessionNotFound) and ambiguous.ambiguous
        assert sorted(ambiguous.suggestions) == sorted(labels)
    finally:
        await service.close()
