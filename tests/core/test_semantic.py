"""The semantic extra: passage vectors stored in the index and reused on rebuilds, questions
embedded when answering, and clear errors when the model cannot be used.

Runs with the real all-MiniLM-L6-v2 model from its wheel (CI installs the extra); skips
cleanly on an install without it.
"""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bot.answer import Answerer, parse_question
from bot.cli import cli
from bot.commands import AnswerReply, SummitService
from bot.commands.results import ReloadReport, Requester
from bot.config import load_config
from bot.corpus import load_corpus
from bot.search.build import build_index
from bot.search.index import Index
from bot.search.semantic import (
    BUNDLED,
    KEY_BYTES,
    Embedder,
    SemanticUnavailable,
    load_embedder,
    passage_sentences,
)
from tests.conftest import CORPUS

HAVE_EXTRA = (importlib.util.find_spec("sentence_transformers") is not None
              and importlib.util.find_spec("all_minilm_l6_v2") is not None)
needs_extra = pytest.mark.skipif(not HAVE_EXTRA, reason="the semantic extra is not installed")


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder(BUNDLED)


@pytest.fixture(scope="module")
def semantic_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    db = tmp_path_factory.mktemp("semantic") / "corpus.sqlite3"
    build_index(load_corpus([CORPUS]), db, embedder=embedder)
    return db


@needs_extra
async def test_vectors_are_stored_once_per_passage_and_unit_length(
        semantic_index: Path) -> None:
    index = await Index.open(semantic_index)
    try:
        assert index.semantic_model == BUNDLED
        assert index.embeddings is not None
        assert index.embeddings.shape == (index.passage_count, 384)
        assert np.allclose(np.linalg.norm(index.embeddings, axis=1), 1.0, atol=1e-4)
    finally:
        await index.close()


@needs_extra
def test_a_rebuild_embeds_only_what_changed(tmp_path: Path, embedder: Embedder,
                                            semantic_index: Path) -> None:
    notes = tmp_path / "corpus"
    shutil.copytree(CORPUS, notes)
    db = tmp_path / "i.sqlite3"
    shutil.copy(semantic_index, db)
    assert build_index(load_corpus([notes]), db, embedder=embedder).embedded == 0
    (notes / "new-talk.md").write_text(
        "---\ntitle: Tape Libraries Today\n---\n\nTape is still the cheapest place for "
        "archives that nobody reads.\n", encoding="utf-8")
    stats = build_index(load_corpus([notes]), db, embedder=embedder)
    assert stats.embedded == 2  # the new passage and its one sentence; the rest was reused


@needs_extra
def test_an_index_built_before_sentence_vectors_gives_its_passage_vectors_to_the_rebuild(
        tmp_path: Path, embedder: Embedder, semantic_index: Path) -> None:
    db = tmp_path / "i.sqlite3"
    shutil.copy(semantic_index, db)
    with sqlite3.connect(db) as conn:
        sentences = sum(len(keys) // KEY_BYTES for (keys,) in conn.execute(
            "SELECT keys FROM sentence_vectors"))
        conn.execute("DROP TABLE sentence_vectors")  # as the layout before them
    stats = build_index(load_corpus([CORPUS]), db, embedder=embedder)
    distinct = len({s for session in load_corpus([CORPUS]).sessions
                    for p in session.passages for s in passage_sentences(p.text)})
    assert 0 < distinct <= sentences
    assert stats.embedded == distinct  # the sentences only: every passage vector reused


def test_a_passage_s_sentences_are_its_sentences_and_list_items_of_three_words_or_more(
        ) -> None:
    text = ("Ceph stores objects. CRUSH places them without a lookup table!\n"
            "* replicas across racks\n- ok\n• erasure coding for cold data")
    assert passage_sentences(text) == [
        "Ceph stores objects.", "CRUSH places them without a lookup table!",
        "replicas across racks", "erasure coding for cold data"]
    assert passage_sentences("Too short.\n* x y") == []


@needs_extra
async def test_each_sentence_has_a_stored_unit_vector_and_answers_use_the_closest(
        semantic_index: Path, embedder: Embedder) -> None:
    index = await Index.open(semantic_index)
    try:
        texts = await index.passages(list(range(index.passage_count)))
        stored = await index.sentence_vectors(list(range(index.passage_count)))
        for pid, record in texts.items():
            sentences = passage_sentences(record.text)
            if not sentences:
                assert pid not in stored
                continue
            assert stored[pid].shape == (len(sentences), 384)
            assert np.allclose(np.linalg.norm(stored[pid], axis=1), 1.0, atol=1e-2)
        question = "what did the ceph talk say about CRUSH?"
        answerer = await Answerer.create(index, embedder)
        trace: list = []
        await answerer.answer(parse_question(question), trace=trace)
        asked = embedder.encode([question])[0]
        for scored in trace[:5]:  # the feature is the best sentence's cosine, computed afresh
            sentences = passage_sentences(scored.passage.text)
            expected = (float((embedder.encode(sentences) @ asked).max()) if sentences
                        else scored.features.semantic)
            assert scored.features.sentence == pytest.approx(expected, abs=2e-3)
        assert any(s.features.sentence > s.features.semantic for s in trace)
    finally:
        await index.close()


@needs_extra
async def test_a_question_in_other_words_finds_its_passage(
        semantic_index: Path, embedder: Embedder) -> None:
    index = await Index.open(semantic_index)
    try:
        answerer = await Answerer.create(index, embedder)
        assert answerer.embedder is embedder
        trace: list = []
        answer = await answerer.answer(parse_question("what did the ceph talk say about CRUSH?"),
                                       trace=trace)
        assert answer.best is not None
        assert answer.best.session.title == "Storing VMs with Cinder and Ceph RBD"
        assert "CRUSH" in answer.best.text
        assert answer.evidence is not None and answer.evidence.semantic > 0.3
        assert all(-1.0 <= s.features.semantic <= 1.0 for s in trace)
        assert any(s.features.semantic != 0.0 for s in trace)
    finally:
        await index.close()


@needs_extra
async def test_a_model_other_than_the_index_s_is_not_used(semantic_index: Path,
                                                         embedder: Embedder) -> None:
    index = await Index.open(semantic_index)
    try:
        other = Embedder(name="another-model", folder=embedder.folder)
        answerer = await Answerer.create(index, other)
        assert answerer.embedder is None  # its vectors would not be comparable

        class Smaller:  # a model folder swapped under the same name
            def get_embedding_dimension(self) -> int:
                return 128

        renamed = Embedder(name=BUNDLED, folder=embedder.folder, _model=Smaller())
        answerer = await Answerer.create(index, renamed)
        assert answerer.embedder is None
        answer = await answerer.answer(parse_question("what did the ceph talk say about CRUSH?"))
        assert answer.best is not None and "CRUSH" in answer.best.text
    finally:
        await index.close()


@needs_extra
async def test_reload_builds_with_the_configured_model(tmp_path: Path, corpus_copy: Path,
                                                       embedder: Embedder) -> None:
    service = SummitService(tmp_path / "i.sqlite3", [corpus_copy], semantic_model=BUNDLED)
    await service.start()  # no index yet: built by the indexer child, with vectors
    try:
        assert service.index.semantic_model == BUNDLED
        assert service.answerer.embedder is not None
        report = await service.reload(Requester("test", "admin", is_admin=True))
        assert isinstance(report, ReloadReport) and report.ok
        assert service.index.embeddings is not None
    finally:
        await service.close()


def test_an_unknown_model_is_one_clear_sentence(tmp_path: Path) -> None:
    if importlib.util.find_spec("sentence_transformers") is None:
        with pytest.raises(SemanticUnavailable, match="semantic extra"):
            load_embedder(str(tmp_path / "nowhere"))
        return
    with pytest.raises(SemanticUnavailable, match="neither all-MiniLM-L6-v2 nor a folder"):
        load_embedder(str(tmp_path / "nowhere"))
    result = CliRunner().invoke(cli, ["index", str(CORPUS), "--db", str(tmp_path / "i.db"),
                                      "--semantic", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "nor a folder" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "i.db").exists()


@needs_extra
def test_a_folder_that_is_not_a_model_is_reported_at_check_config(tmp_path: Path) -> None:
    (tmp_path / "empty-model").mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(f"semantic:\n  model: {tmp_path / 'empty-model'}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", str(config)])
    assert result.exit_code == 1
    assert "could not be loaded" in result.output and "Traceback" not in result.output


def test_the_model_can_come_from_the_environment() -> None:
    config = load_config(None, environ={"SUMMIT_BOT_SEMANTIC_MODEL": BUNDLED})
    assert config.semantic.model == BUNDLED
    assert load_config(None, environ={}).semantic.model is None


async def test_a_configured_model_without_vectors_in_the_index_is_logged_once_at_start(
        tmp_path: Path, corpus_index: Path, corpus_copy: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "i.sqlite3"
    shutil.copy(corpus_index, db)  # built without vectors
    service = SummitService(db, [corpus_copy], semantic_model=BUNDLED)
    with caplog.at_level("WARNING"):
        await service.start()
    try:
        warnings = [r.getMessage() for r in caplog.records if "passage vectors" in r.getMessage()]
        assert len(warnings) == 1 and "BM25 alone" in warnings[0]
        assert service.answerer.embedder is None
        reply = await service.ask("what did the ceph talk say about CRUSH?")
        assert isinstance(reply, AnswerReply) and reply.answer.best is not None
        assert "CRUSH" in reply.answer.best.text
    finally:
        await service.close()
