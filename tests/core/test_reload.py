"""Admin reloads through the service: changes reported, bad files named, nothing lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.commands import AnswerReply, Notice, ReloadReport, Requester, SummitService
from bot.commands.text import reload_text

ADMIN = Requester("test", "admin", is_admin=True)


async def _answered_title(service: SummitService, question: str) -> str | None:
    reply = await service.ask(question)
    assert isinstance(reply, AnswerReply)
    best = reply.answer.best
    return best.session.title if reply.answer.answered and best else None


async def _until_reloading(service: SummitService) -> None:
    """Until the reload task has taken the reload lock (a bounded poll, not a guess)."""
    for _ in range(1000):
        if service.reloading:
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the reload did not start")


async def test_reload_reports_added_changed_removed(
        service: SummitService, corpus_copy: Path) -> None:
    (corpus_copy / "new-talk.md").write_text(
        "---\ntitle: Swift Erasure Coding\n---\n\nErasure coding saves disk space in Swift.\n")
    (corpus_copy / "open-compute.md").unlink()
    folsom = corpus_copy / "folsom-to-grizzly-upgrade.md"
    folsom.write_text(folsom.read_text() + "\nThey recommended a rolling upgrade of Nova.\n")
    report = await service.reload(ADMIN)
    assert isinstance(report, ReloadReport) and report.ok
    assert report.added == ["Swift Erasure Coding"]
    assert report.removed == ["Open Compute"]
    assert report.changed == ["From Folsom to Grizzly: A DevOps Upgrade Pattern"]
    assert report.sessions_after == report.sessions_before
    assert await _answered_title(service, "does swift do erasure coding?") == \
        "Swift Erasure Coding"
    text = reload_text(report)
    assert "1 added, 1 changed, 1 removed" in text


async def test_broken_file_is_named_and_keeps_its_previous_version(
        service: SummitService, corpus_copy: Path) -> None:
    before = await _answered_title(service, "what did the Ceph talk say about CRUSH?")
    (corpus_copy / "storing-vms-cinder-ceph-rbd.md").write_text("---\ntitle: [oops\n---\n")
    report = await service.reload(ADMIN)
    assert isinstance(report, ReloadReport) and report.ok
    (problem,) = report.problems
    assert problem[0] == "storing-vms-cinder-ceph-rbd.md"
    assert "front matter is not valid YAML" in problem[1]
    assert "previous version is still served" in problem[1]
    assert report.removed == []
    assert await _answered_title(service, "what did the Ceph talk say about CRUSH?") == before


async def test_reload_of_an_empty_corpus_keeps_serving(
        service: SummitService, corpus_copy: Path) -> None:
    for path in corpus_copy.iterdir():
        path.unlink()
    report = await service.reload(ADMIN)
    assert isinstance(report, ReloadReport) and not report.ok
    assert report.error and "no session notes could be read" in report.error
    assert "still serving" in reload_text(report)
    assert await _answered_title(service, "what did the Ceph talk say about CRUSH?")


async def test_second_reload_while_one_runs_is_refused(service: SummitService) -> None:
    first = asyncio.create_task(service.reload(ADMIN))
    await _until_reloading(service)
    second = await service.reload(ADMIN)
    assert isinstance(second, Notice) and second.kind == "busy"
    assert isinstance(await first, ReloadReport)


async def test_questions_are_answered_while_reloading(service: SummitService) -> None:
    reload = asyncio.create_task(service.reload(ADMIN))
    await _until_reloading(service)
    assert await _answered_title(service, "what did the Ceph talk say about CRUSH?")
    assert isinstance(await reload, ReloadReport)


def test_indexer_child_runs_as_a_module_without_warnings(tmp_path: Path,
                                                         corpus_copy: Path) -> None:
    """The entry point a reload runs: JSON in, JSON out, and no runpy warning (a module run
    with -m that its own package had already imported warns on every reload)."""
    import json
    import subprocess
    import sys

    from bot.search.build_child import BuildOutcome

    db = tmp_path / "index.sqlite3"
    done = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-m", "bot.search.build_child",
         json.dumps({"paths": [str(corpus_copy)], "db": str(db), "semantic": None})],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "RuntimeWarning" not in done.stderr
    outcome = BuildOutcome.from_json(done.stdout)
    assert outcome.ok and outcome.sessions > 0 and db.exists()


async def test_no_question_fails_across_repeated_swaps(service: SummitService) -> None:
    """Many questions in flight while reloads swap the index in and out: none may read a
    closed index (the swapped-out one is closed only when its readers are done)."""
    swaps = 4
    done = asyncio.Event()
    answered = 0
    failures: list[BaseException] = []

    async def asker() -> None:
        nonlocal answered
        while not done.is_set():
            try:
                reply = await service.ask("what did the Ceph talk say about CRUSH?")
            except Exception as exc:  # what a platform turns into the apology reply
                failures.append(exc)
                continue
            assert isinstance(reply, AnswerReply) and reply.answer.answered
            answered += 1

    askers = [asyncio.create_task(asker()) for _ in range(24)]
    try:
        for _ in range(swaps):
            report = await service.reload(ADMIN)
            assert isinstance(report, ReloadReport) and report.ok
    finally:
        done.set()
        await asyncio.gather(*askers)
    assert failures == []
    assert answered > 24 * swaps  # questions really were in flight across the swaps


async def test_the_indexer_has_a_memory_ceiling_and_a_time_budget(
        tmp_path: Path, corpus_index: Path, corpus_copy: Path) -> None:
    """Past either, the reload fails with a sentence and the old index keeps serving."""
    import shutil

    from bot.commands.reload import IndexerBounds

    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    before = db.read_bytes()
    slow = IndexerBounds(seconds=0.05)
    for bounds, model, expected in (
            (IndexerBounds(memory_mb=48), None, "ran out of memory"),
            (slow, None, "took longer than 0.05 s (limits.indexer_seconds) and was stopped; "
                         "check the largest files"),
            # Embedding is what a first build with a model spends its time on.
            (slow, "all-MiniLM-L6-v2", "raise limits.indexer_seconds")):
        service = SummitService(db, [corpus_copy], bounds=bounds, semantic_model=model)
        await service.start()
        try:
            report = await service.reload(ADMIN)
            assert isinstance(report, ReloadReport) and not report.ok
            assert report.error is not None and expected in report.error, report.error
            assert await _answered_title(service, "what did the Ceph talk say about CRUSH?")
        finally:
            await service.close()
        assert db.read_bytes() == before
        assert not list(tmp_path.glob(".index.sqlite3.build-*"))
