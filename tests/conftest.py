"""Shared fixtures: an index of the bundled corpus, a service over it, the shared corpora."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.commands import SummitService
from bot.corpus import load_corpus
from bot.search.build import build_index

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"
SHARED_CORPORA = SHARED / "corpora"
SEED = SHARED / "seed" / "openstack-2012-summit-day1.txt"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test cleanly when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared is absent on a user's clone)")
    return path


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled corpus/, built once per test run (treat as read-only)."""
    db = tmp_path_factory.mktemp("index") / "corpus.sqlite3"
    build_index(load_corpus([CORPUS]), db)
    return db


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus, for reload tests that break files."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
async def service(tmp_path: Path, corpus_index: Path, corpus_copy: Path
                  ) -> AsyncIterator[SummitService]:
    """A started SummitService over a private copy of the index and of the corpus."""
    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    svc = SummitService(db, [corpus_copy])
    await svc.start()
    try:
        yield svc
    finally:
        await svc.close()


@pytest.fixture
async def feedback_service(tmp_path: Path, corpus_index: Path, corpus_copy: Path
                           ) -> AsyncIterator[SummitService]:
    """Like ``service``, with the organizers' loop on (a state database in tmp_path)."""
    from bot.feedback.store import StateStore

    db = tmp_path / "feedback-index.sqlite3"  # beside the ``service`` fixture's, if both
    shutil.copy(corpus_index, db)
    store = StateStore(tmp_path / "state.sqlite3")
    svc = SummitService(db, [corpus_copy], feedback=store)
    await svc.start()
    try:
        yield svc
    finally:
        await svc.close()
        store.close()


@pytest.fixture(scope="session")
def schedule_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled notes and the sample schedule (tests/schedule/sample.py, with its hostile
    events) in one index, built once: every service over it works on a copy. A module may
    override it with other events."""
    from tests.schedule.service_fixtures import build_schedule_index

    return build_schedule_index(tmp_path_factory.mktemp("schedule"))


@pytest.fixture
async def scheduled_service(schedule_index: Path, tmp_path: Path
                            ) -> AsyncIterator[SummitService]:
    """A started service over a copy of ``schedule_index``, its clock during the sample
    summit. A module whose bot must serve the schedule makes it its ``service``."""
    from tests.schedule.service_fixtures import schedule_service

    async with schedule_service(schedule_index, tmp_path / "service") as running:
        yield running
