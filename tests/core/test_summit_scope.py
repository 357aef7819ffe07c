"""A question that names a summit ("in Barcelona", "at the 2012 summit") is answered from
that summit's notes when the index holds several (bot/answer/scope.py)."""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer import Answerer, parse_question
from bot.answer.scope import SummitLabels, label_terms
from bot.commands.text import answer_text, elsewhere_line
from bot.corpus import load_corpus
from bot.search.build import build_index
from bot.search.index import Index, SessionRecord, rank
from bot.search.tokenizer import split_words

NOTES = {
    # The KubeCon notes mention Barcelona and upgrades in one passage: without the scope,
    # "upgrades in Barcelona" finds this one first.
    "kubecon-2017/travel.md": "# Travel notes\n\nI flew in from Barcelona, where the "
                              "upgrades of my home lab had kept me busy all week.\n",
    "kubecon-2017/secrets.md": "# Secrets in k8s\n\nThe k8s secrets talk: secrets are only "
                               "base64 encoded unless etcd encryption is turned on.\n",
    "kubecon-2017/operators.md": "# Operators\n\nOperators build and run k8s clusters for "
                                 "you and restart failed members.\n",
    "build-2017/cosmos.md": "# Cosmos DB\n\nCosmos DB promises reads under 10 ms at the 99th "
                            "percentile.\n",
    "barcelona-2016/fuel.md": "# Upgrading clouds with Fuel\n\nThe operators upgraded "
                              "OpenStack from Liberty to Mitaka with no downtime for "
                              "tenants.\n",
    "barcelona-2016/funding.md": "# Startup funding\n\nThe panel talked about funding for "
                                 "cloud startups in Europe, how they build a team, and "
                                 "about quantum computing.\n",
    "hongkong.md": "---\ntitle: Neutron for beginners\nsummit: OpenStack Summit Hong Kong\n"
                   "---\n\nNeutron networking explained for people who are not network "
                   "engineers.\n",
}


def write_notes(folder: Path) -> None:
    """NOTES as files under ``folder``, in their summits' folders."""
    for name, text in NOTES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
async def answerer(tmp_path: Path) -> AsyncIterator[Answerer]:
    write_notes(tmp_path / "notes")
    db = tmp_path / "index.sqlite3"
    build_index(load_corpus([tmp_path / "notes"]), db)
    index = await Index.open(db)
    try:
        yield await Answerer.create(index)
    finally:
        await index.close()


async def _title(answerer: Answerer, question: str) -> str:
    answer = await answerer.answer(parse_question(question))
    assert answer.best is not None, question
    return answer.best.session.title


async def test_a_named_summit_answers_from_its_own_notes(answerer: Answerer) -> None:
    question = parse_question("what did they say about upgrades in Barcelona?")
    unscoped = await answerer._answer(question, None, None)
    assert unscoped is not None and unscoped.best is not None
    assert unscoped.best.session.title == "Travel notes"  # holds both words
    assert await _title(answerer, question.text) == "Upgrading clouds with Fuel"
    assert await _title(answerer, "what did they say about upgrades at KubeCon?") == \
        "Travel notes"


async def test_the_summit_words_need_not_be_in_the_passage(answerer: Answerer) -> None:
    answer = await answerer.answer(parse_question(
        "what was said about networking at the Hong Kong summit?"))
    assert answer.answered and answer.best is not None
    assert answer.best.session.title == "Neutron for beginners"
    assert answer.evidence is not None and answer.evidence.coverage == pytest.approx(1.0)


async def test_a_topic_that_is_also_a_folder_name_is_not_a_place(answerer: Answerer) -> None:
    # "k8s" is in the notes' text more than once: "in k8s" is the topic, not the summit.
    assert await answerer._scope(parse_question("how are secrets kept in k8s?")) is None
    scoped = await answerer._scope(parse_question("how are secrets kept at kubecon?"))
    assert scoped is not None and scoped.terms == {"kubecon"}
    # a label word read as a topic first ("during build", build-2017/ being a folder) does
    # not hide the place after it
    both = await answerer._scope(parse_question("what broke during build at KubeCon?"))
    assert both is not None and both.terms == {"kubecon"}


async def test_a_summit_named_without_a_place_word(answerer: Answerer) -> None:
    assert await _title(answerer, "what did Barcelona say about upgrades?") == \
        "Upgrading clouds with Fuel"
    bare = await answerer._scope(parse_question("what did KubeCon say about secrets?"))
    assert bare is not None and bare.bare and bare.terms == {"kubecon"}
    # alone, a word common in the text is the topic, capitalized or not
    assert await answerer._scope(parse_question("what did Build say about latency?")) is None


async def test_a_common_word_names_a_summit_only_as_a_proper_name(answerer: Answerer) -> None:
    # "build" is in the notes' text twice: "at build" may be a time ("at build time") or
    # the topic, "at Build" is Microsoft's conference
    scoped = await answerer._scope(parse_question("what latency did they promise at Build?"))
    assert scoped is not None and scoped.terms == {"build"}
    for question in ("what latency did they promise at build?",
                     "what latency did they promise in Build?"):
        assert await answerer._scope(parse_question(question)) is None, question
    assert await _title(answerer, "what read latency did they promise at Build?") == \
        "Cosmos DB"


async def test_nothing_in_the_named_summit_falls_back_to_all_notes(answerer: Answerer) -> None:
    answer = await answerer.answer(parse_question(
        "anything about quantum computing at KubeCon?"))
    assert answer.best is not None and answer.best.session.title == "Startup funding"
    # from another summit than the one asked about: said so, and never given as sure
    assert answer.hedged and answer.elsewhere == "at KubeCon"  # as the question writes it
    assert answer.to_json()["elsewhere"] == "at KubeCon"
    text = answer_text(answer)
    assert "Nothing at KubeCon matched, so this is from other notes" in text
    assert text.splitlines()[0] == "Startup funding"  # the quote comes first, as always
    scoped = await answerer.answer(parse_question("what did they say about upgrades at "
                                                  "KubeCon?"))
    assert scoped.elsewhere is None and scoped.to_json()["elsewhere"] is None


def test_the_summit_named_with_the_is_said_from_it() -> None:
    assert elsewhere_line("the 2012 summit") == \
        "Nothing from the 2012 summit matched, so this is from other notes"


async def test_in_an_index_of_one_summit_its_name_is_still_not_a_topic(tmp_path: Path) -> None:
    notes = tmp_path / "notes" / "kubecon-2017"
    notes.mkdir(parents=True)
    for name in ("secrets", "operators", "travel"):
        (notes / f"{name}.md").write_text(NOTES[f"kubecon-2017/{name}.md"], encoding="utf-8")
    db = tmp_path / "one.sqlite3"
    build_index(load_corpus([tmp_path / "notes"]), db)
    index = await Index.open(db)
    try:
        answerer = await Answerer.create(index)
        question = parse_question("what did they say about etcd encryption at KubeCon?")
        scope = await answerer._scope(question)
        assert scope is not None and answerer._allowed(scope) is None  # every session
        answer = await answerer.answer(question)
    finally:
        await index.close()
    assert answer.best is not None and answer.best.session.title == "Secrets in k8s"
    assert answer.evidence is not None and answer.evidence.coverage == pytest.approx(1.0)
    assert answer.elsewhere is None


def _session(sid: int, source: str, summit: str | None = None) -> SessionRecord:
    return SessionRecord(id=sid, title=f"s{sid}", speakers=(), summit=summit, date=None,
                         track=None, tags=(), url=None, aliases=(), source=source,
                         fingerprint="", passage_count=1)


def test_labels_come_from_the_summit_and_the_folders() -> None:
    assert label_terms(_session(0, "corpora/KubeCon-2017/istio.md")) == \
        {"corpora", "kubecon", "2017"}
    # numbers that are not years are folder numbering, not places
    assert label_terms(_session(1, "barcelona/doc/source/67/index.rst")) == \
        {"barcelona", "doc", "sourc"}
    assert label_terms(_session(2, "x.md", "OpenStack Summit Hong Kong")) == \
        {"openstack", "summit", "hong", "kong"}
    # a schedule's talks: its conference, not the path or address it was read from
    assert label_terms(_session(3, "/srv/shared/schedules/fosdem.xml", "FOSDEM 2013")) == \
        {"fosdem", "2013"}
    assert label_terms(_session(4, "https://pretalx.example/rc3/schedule.json", "rC3")) == \
        {"rc3"}


@pytest.mark.parametrize("question, words", [
    ("what freebies were handed out at the 2012 summit?", "at the 2012 summit"),
    ("what did the 2012 summit say about swift?", "the 2012 summit"),
    ("at KubeCon, what was said about istio?", "at KubeCon"),
    ("what was said about networking at the Hong Kong summit?", "at the Hong Kong summit"),
    ("what was said about istio at kubecon 2017", "at kubecon 2017"),
    ("what's in the source code?", None),  # the run goes on into a topic
    ("what did kubecon 2017 say about istio?", "kubecon 2017"),  # a name on its own
    ("what was said at the summit about swift?", None),  # no summit named
    ("what did the kubecon folks say?", None),  # "the kubecon" is not a place
    ("what happened in 2012?", "in 2012"),
])
def test_which_words_name_a_summit(question: str, words: str | None) -> None:
    labels = SummitLabels([
        _session(0, "kubecon-2017/istio.md"),
        _session(1, "x.md", "OpenStack 2012 Summit"),
        _session(2, "y.md", "OpenStack Summit Hong Kong"),
        _session(3, "colony/source/notes.md"),
    ])
    found = labels.find(question)
    assert (found.words if found else None) == words


def test_rank_keeps_only_the_allowed_passages() -> None:
    postings = {"ceph": (np.array([0, 2, 5], dtype=np.uint32),
                         np.array([1.0, 3.0, 2.0], dtype=np.float32))}
    allowed = np.array([True, True, False, True, True, True])
    for base in (None, np.full(6, 0.5, dtype=np.float32)):  # the sparse and the dense path
        everything = dict(rank(postings, Counter(["ceph"]), 6, 10, base=base))
        only = dict(rank(postings, Counter(["ceph"]), 6, 10, base=base, allowed=allowed))
        assert 2 in everything and 2 not in only
        assert only == {pid: s for pid, s in everything.items() if allowed[pid]}


HAVE_EXTRA = (importlib.util.find_spec("sentence_transformers") is not None
              and importlib.util.find_spec("all_minilm_l6_v2") is not None)


@pytest.mark.skipif(not HAVE_EXTRA, reason="the semantic extra is not installed")
async def test_with_the_semantic_extra_every_candidate_is_from_the_named_summit(
        tmp_path: Path) -> None:
    from bot.search.semantic import BUNDLED, load_embedder
    write_notes(tmp_path / "notes")
    embedder = load_embedder(BUNDLED)
    db = tmp_path / "index.sqlite3"
    build_index(load_corpus([tmp_path / "notes"]), db, embedder=embedder)
    index = await Index.open(db)
    try:
        answerer = await Answerer.create(index, embedder)
        assert answerer.embedder is embedder
        trace: list = []
        answer = await answerer.answer(
            parse_question("how did the operators upgrade their clouds in Barcelona?"), trace)
        assert answer.best is not None
        assert answer.best.session.title == "Upgrading clouds with Fuel"
        # the passages most similar in meaning join the candidates only from Barcelona
        assert {index.sessions[s.passage.session_id].source.split("/")[0] for s in trace} \
            == {"barcelona-2016"}
    finally:
        await index.close()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("at in the from during kubecon 2017 summit "
                                             "Hong Kong ,.?'-_")), max_size=80))
def test_any_question_gives_a_scope_of_known_sessions_or_none(question: str) -> None:
    labels = SummitLabels([_session(0, "kubecon-2017/istio.md"),
                           _session(1, "x.md", "OpenStack Summit Hong Kong")])
    found = labels.find(question)
    if found is not None:
        assert found.sessions and found.sessions <= {0, 1}
        assert found.terms and all(found.sessions <= labels.sessions_with[t]
                                   for t in found.terms)
        assert set(split_words(found.words)) <= set(split_words(question))


def test_sessions_lists_a_summit_by_its_folder(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli import cli
    write_notes(tmp_path / "notes")
    db = tmp_path / "index.sqlite3"
    build_index(load_corpus([tmp_path / "notes"]), db)
    result = CliRunner().invoke(cli, ["sessions", "--db", str(db), "kubecon"])
    assert result.exit_code == 0, result.output
    assert set(result.output.splitlines()[:-1]) == {"Travel notes", "Secrets in k8s",
                                                    "Operators"}
    assert result.output.splitlines()[-1] == "(3 sessions)"
