"""Questions in, quoted answers out: the card's example, the seed, and bad questions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.answer import Answerer, parse_question
from bot.answer.question import QuestionProblem
from bot.cli import cli
from bot.commands import AnswerReply, Notice, SummitService
from bot.commands.text import SEVERAL, answer_text
from bot.corpus import load_corpus
from bot.search.build import build_index
from bot.search.index import Index
from tests.conftest import shared_path


@asynccontextmanager
async def answerer_over(notes: Path) -> AsyncIterator[Answerer]:
    """An answerer over an index of ``notes`` (built beside the folder), closed after."""
    db = notes.parent / "i.sqlite3"
    build_index(load_corpus([notes]), db)
    index = await Index.open(db)
    try:
        yield await Answerer.create(index)
    finally:
        await index.close()


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seed") / "seed.sqlite3"
    build_index(load_corpus([shared_path("seed")]), db)
    return db


@pytest.fixture
async def seed_answerer(seed_db: Path) -> AsyncIterator[Answerer]:
    index = await Index.open(seed_db)
    try:
        yield await Answerer.create(index)
    finally:
        await index.close()


async def test_card_example_on_the_seed(seed_answerer: Answerer) -> None:
    answer = await seed_answerer.answer(parse_question("what did the Ceph talk say about CRUSH"))
    assert answer.answered and answer.best is not None
    assert answer.best.session.title == "Storing VMs with Cinder and Ceph RBD"
    assert answer.best.text.startswith("CRUSH is basically what sets Ceph apart")
    marked = {answer.best.text[a:b] for a, b in answer.best.marks}
    assert {"CRUSH", "Ceph"} <= marked


# One question per session of the seed, in the words a person would use.
SEED_QUESTIONS = [
    ("where does the 19\" rack standard come from, per the open compute session?",
     "Open Compute", "train system"),
    ("what is colony for object storage", "Intercloud Object Storage: Colony",
     "federated swifts"),
    ("how many nodes does the author's private cloud have",
     "Operating your OpenStack Private Cloud", "eight node"),
    ("why does the RedDwarf session run on OpenVZ", "Database as a Service", "OpenVZ"),
    ("what did GridCentric implement for virtual machines",
     "Extending OpenStack for Fun and Profit: Creating New Functionality with the "
     "Enhancements API", "fork()"),
    ("does KVM have a native driver for RBD", "Storing VMs with Cinder and Ceph RBD",
     "native driver"),
    ("how hard is upgrading from Folsom to Grizzly",
     "From Folsom to Grizzy: A DevOps Upgrade Pattern", "upgrading OpenStack is difficult"),
]


@pytest.mark.parametrize("question, title, phrase", SEED_QUESTIONS)
async def test_every_seed_session_is_answerable(
        seed_answerer: Answerer, question: str, title: str, phrase: str) -> None:
    answer = await seed_answerer.answer(parse_question(question))
    assert answer.answered, question
    assert answer.best is not None and answer.best.session.title == title
    assert phrase in answer.best.text


async def test_a_loosely_named_session_is_preferred(seed_answerer: Answerer) -> None:
    answer = await seed_answerer.answer(
        parse_question("what did the RedDwarf session say about snapshots?"))
    assert answer.answered and answer.best is not None
    assert answer.best.session.title == "Database as a Service"


@pytest.mark.parametrize("question", [
    "what is the wifi password at the venue?",
    "which kubernetes version was announced",
])
async def test_not_in_the_notes(seed_answerer: Answerer, question: str) -> None:
    answer = await seed_answerer.answer(parse_question(question))
    assert not answer.answered
    assert answer.to_json()["session"] is None


async def test_a_near_miss_is_never_a_confident_answer(seed_answerer: Answerer) -> None:
    """Its words are in the notes (Ceph, storage) but its question is not: declining or a
    hedged closest passage are both fair (the answer quality targets count either)."""
    answer = await seed_answerer.answer(
        parse_question("how much did the ceph storage cost per terabyte?"))
    assert not answer.confident
    assert answer.to_json()["confident"] is False


@pytest.mark.parametrize("raw, says", [
    ("", "ask a question in words"),
    ("   \n\t ", "ask a question in words"),
    ("x" * 10_000, "10,000 characters"),
    ("what is the?", "no words I can look up"),
    ("?!?! ... ---", "no words I can look up"),
])
def test_bad_questions_get_one_clear_sentence(raw: str, says: str) -> None:
    with pytest.raises(QuestionProblem) as problem:
        parse_question(raw)
    message = str(problem.value)
    assert says in message
    assert message.count(". ") == 0 and len(message) < 160


@pytest.mark.parametrize("raw", [
    "'; DROP TABLE passages; --",
    'what about "ceph" OR 1=1',
    "crush\" AND term IN ('x')",
    "<@123> @everyone what about ceph?",
])
async def test_hostile_looking_questions_are_just_words(
        service: SummitService, raw: str) -> None:
    reply = await service.ask(raw)
    assert isinstance(reply, AnswerReply | Notice)
    again = await service.ask("what did the Ceph talk say about CRUSH?")
    assert isinstance(again, AnswerReply) and again.answer.answered  # the index is intact


def test_cli_ask_json_shape(corpus_index: Path) -> None:
    result = CliRunner().invoke(cli, ["ask", "--db", str(corpus_index), "--json"],
                                input="what did the Ceph talk say about CRUSH?\n\n"
                                      "what is the wifi password?\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["answered"] for line in lines] == [True, False]
    assert [line["confident"] for line in lines] == [True, False]
    first = lines[0]
    assert set(first) == {"question", "answered", "confident", "kind", "session", "sessions",
                          "passage", "score", "confidence", "alternatives", "elsewhere",
                          "nearest", "several"}
    assert 0.0 < first["confidence"] <= 1.0 and first["elsewhere"] is None
    assert first["kind"] == "notes" and first["sessions"] == []
    assert set(first["session"]) == {"title", "speakers", "summit", "source", "start", "end",
                                     "room", "track", "url", "cancelled"}
    assert first["session"]["start"] is None and first["session"]["cancelled"] is False
    assert first["session"]["speakers"] == ["Josh"]  # the seed names only "Josh from Inktank"
    assert "CRUSH" in first["passage"]
    assert lines[1]["session"] is None and lines[1]["passage"] is None
    assert first["nearest"] == [] and lines[1]["several"] is False
    assert all(set(s) == set(first["session"]) for s in lines[1]["nearest"])


def test_cli_missing_index_says_how_to_build(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ask", "--db", str(tmp_path / "none.db"), "hi there"])
    assert result.exit_code != 0
    assert "summit-bot index --db" in result.output


def test_cli_index_reports_skipped_files(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ok.md").write_text("# Talk\n\nSome notes.\n")
    (notes / "bad.yaml").write_text("- title: [\n")
    result = CliRunner().invoke(cli, ["index", "--db", str(tmp_path / "i.db"), str(notes)])
    assert result.exit_code == 0
    assert "1 sessions" in result.output and "bad.yaml" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["index", "--db", str(tmp_path / "j.db"), str(empty)])
    assert result.exit_code == 1


def test_cli_eval_prints_figures_overall_and_per_corpus(corpus_index: Path,
                                                        tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(yaml.safe_dump([
        {"id": "crush", "q": "what did the ceph talk say about crush?", "corpus": "ours",
         "session": "Storing VMs with Cinder and Ceph RBD",
         "expect": ["pseudo-random placement algorithm"], "split": "check"},
        {"id": "wifi", "q": "what is the wifi password at the venue?", "corpus": "ours",
         "session": None, "split": "check"},
        {"id": "other", "q": "what is the wifi password at the venue?", "corpus": "theirs",
         "session": None, "split": "tune"},
    ]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(questions), "--db", str(corpus_index),
                                      "--json", "--split", "check"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["figures"]["questions"] == 2 and data["figures"]["passage_at_1"] == 1.0
    assert set(data["corpora"]) == {"ours"}  # the tune item is not in the check split
    assert data["corpora"]["ours"]["declined_unanswerable"] == 1.0
    text = CliRunner().invoke(cli, ["eval", str(questions), "--db", str(corpus_index)])
    assert "per corpus" in text.output and "theirs" in text.output


@pytest.mark.parametrize("archives", [
    "Tape came up too.",
    "Colony archives: Colony on tape.",  # a later, shorter passage repeats the title
])
async def test_a_question_that_only_names_a_session_gets_its_opening(tmp_path: Path,
                                                                     archives: str) -> None:
    """'what was the Colony talk about': the question says nothing but the title, so the
    passage to quote is the one the notes open the session with (not whichever short
    passage the title's words weigh most in)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "colony.md").write_text(
        "---\ntitle: Colony\nspeakers: [Shigetoshi Yokoyama]\n---\n\n"
        "## Overview\n\nIntercloud object storage that federates Swift clusters across "
        "several clouds, so research data can be kept in more than one place.\n\n"
        "## Replication\n\nReplication between sites is asynchronous.\n\n"
        f"## Archives\n\n{archives}\n", encoding="utf-8")
    for name, text in (("ceph", "CRUSH places data without lookup tables."),
                       ("trove", "Trove offers databases as a service."),
                       ("neutron", "ML2 drives switches from many vendors.")):
        (notes / f"{name}.md").write_text(f"---\ntitle: {name.title()} Update\n---\n\n"
                                          f"{text}\n", encoding="utf-8")
    async with answerer_over(notes) as answerer:
        answer = await answerer.answer(parse_question("what was the colony talk about"))
        detail = await answerer.answer(parse_question("what did the colony talk say about "
                                                      "replication lag?"))
    assert answer.answered and answer.best is not None
    assert answer.best.session.title == "Colony"
    assert answer.best.passage.position == 0
    # the session named in full and nothing else asked: its opening is the answer, sure
    assert answer.confident
    assert detail.best is not None and detail.best.passage.position == 1  # "Replication…"


def test_the_confidence_model_declines_a_passage_without_a_word_of_the_question() -> None:
    from bot.answer.confidence import FITTED, ConfidenceModel, Evidence

    strong = Evidence(coverage=1.0, own_coverage=1.0, near_coverage=1.0, named=0.0,
                      margin=1.0, strength=3.0)
    assert FITTED.judge(strong) == "confident"
    assert FITTED.judge(Evidence(1.0, 0.0, 1.0, 1.0, 1.0, 3.0)) == "declined"
    # a passage that holds little of the question, among candidates that hold more of it
    weak = Evidence(coverage=0.05, own_coverage=0.05, near_coverage=0.8, named=0.0,
                    margin=0.0, strength=0.1, crowd=1.0, kind_fit=-1.0)
    assert FITTED.judge(weak) == "declined"
    between = ConfidenceModel(FITTED.weights, FITTED.intercept, confident_at=0.99,
                              hedged_at=0.0)
    assert between.judge(strong) == "hedged"
    assert 0.0 < FITTED.probability(weak) < FITTED.probability(strong) < 1.0


def test_the_confidence_model_does_not_reach_past_the_facts_it_was_fitted_on() -> None:
    """A question of one common word has a strength three times any fitted question's; the
    model takes it as the largest it knows instead of extrapolating to a certain "no"."""
    from dataclasses import replace

    from bot.answer.confidence import FEATURES, FITTED, Evidence

    one_common_word = Evidence(coverage=1.0, own_coverage=1.0, near_coverage=1.0, named=0.07,
                               margin=0.04, strength=15.4, crowd=0.11, agree=1.0)
    assert FITTED.upper is not None
    at_the_edge = replace(one_common_word, strength=FITTED.upper[FEATURES.index("strength")])
    assert FITTED.probability(one_common_word) == FITTED.probability(at_the_edge)
    assert FITTED.judge(one_common_word) == "hedged"
    assert replace(FITTED, upper=None).judge(one_common_word) == "declined"


PROPOSALS = """Storage
=======

Swift at a mobile operator
~~~~~~~~~~~~~~~~~~~~~~~~~~

**Abstract:**

The operator stores customer photos in Swift, replicated across two datacenters. Its
app lets customers keep documents, videos and music in the cloud and share them with
friends, and the service had to grow from a few thousand to millions of users within a
year. We show how the cluster was sized, how rings were balanced, and what broke first.


* **Ada Quill** *(Ada runs Swift storage at a mobile operator, where she moved customer
  photos, videos and documents from NAS filers to Swift object storage across
  datacenters. She speaks often about Swift, storage and mobile operators.)*

* **Ben Ortiz** *(Ben has operated storage for mobile customers for ten years.)*

"""
for topic, body in (("Ceph for block storage", "How RBD volumes back Nova instances."),
                    ("Trove in production", "Databases as a service for many tenants."),
                    ("Neutron at scale", "ML2 drives switches from many vendors.")):
    PROPOSALS += (f"{topic}\n{'~' * len(topic)}\n\n**Abstract:**\n\n{body} " * 1
                  + "The talk walks through the design, the rollout and lessons learned "
                  "over a year of running it for paying customers.\n\n\n"
                  "* **Cy Tran** *(Cy works on clouds.)*\n\n")


async def test_speakers_bios_answer_who_not_what(tmp_path: Path) -> None:
    """A proposal's bios are wordy and name the topic too; they answer questions about
    the people, and the abstract answers questions about the talk."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "proposals.rst").write_text(PROPOSALS, encoding="utf-8")
    async with answerer_over(notes) as answerer:
        what = await answerer.answer(parse_question(
            "how does the mobile operator use swift object storage across datacenters?"))
        who = await answerer.answer(parse_question(
            "who moved documents from NAS filers to Swift?"))
        named = await answerer.answer(parse_question("where did Ada move the NAS filers to?"))
        speaker = await answerer.answer(parse_question(
            "which speaker moved documents from NAS filers to Swift?"))
    assert what.best is not None and what.best.text.startswith("The operator stores")
    assert who.best is not None and who.best.text.lstrip("-* ").startswith("Ada Quill")
    assert named.best is not None and "Ada Quill" in named.best.text
    assert speaker.best is not None and "Ada Quill" in speaker.best.text


def test_a_speaker_list_is_told_from_notes_that_name_speakers() -> None:
    from bot.answer.answerer import is_speaker_list

    speakers = ("Ada Quill", "Ben Ortiz")
    assert is_speaker_list("- Ada Quill (storage)\n  more about Ada\n- Ben Ortiz", speakers)
    assert not is_speaker_list("Swift keeps photos.\n- Ada Quill (storage)", speakers)
    assert not is_speaker_list("- Ada Quill said Swift is fast\n- replication is async",
                               speakers)
    assert not is_speaker_list("- Ada Quill (storage)", ())


async def test_compounds_meet_in_both_directions(tmp_path: Path) -> None:
    """'bootstorm' in a question finds 'boot storm' in the notes, and 'look up' in a
    question finds 'lookup' (each only where the notes never write it the other way)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, text in (
            ("storms", "A boot storm hits when every VM starts at nine in the morning."),
            ("tables", "CRUSH places objects without lookup tables on any client."),
            ("other", "The scheduler weighs hosts by free memory and by their cores."),
            ("more", "Quotas are set per project and checked at every request.")):
        (notes / f"{name}.md").write_text(f"---\ntitle: {name.title()}\n---\n\n{text}\n",
                                          encoding="utf-8")
    async with answerer_over(notes) as answerer:
        split = await answerer.answer(parse_question("what happens in a bootstorm?"))
        joined = await answerer.answer(parse_question("does it need look up tables?"))
    assert split.best is not None and split.best.session.title == "Storms"
    assert split.evidence is not None and split.evidence.own_coverage > 0.5
    assert joined.best is not None and joined.best.session.title == "Tables"


def test_a_session_named_in_full_and_nothing_else_is_answered_surely(tmp_path: Path) -> None:
    """On real notes where the title's word is also in other talks' notes, the model hedges
    "what was the Websockets talk about?"; the question asks nothing but what the named
    session was, so its opening is given as the answer. Asking who gave it stays hedged when
    the notes name no speaker."""
    db = tmp_path / "daneah.sqlite3"
    build_index(load_corpus([shared_path("corpora", "daneah-conference-notes")]), db)
    result = CliRunner().invoke(cli, ["ask", "--db", str(db), "--json"], input=(
        "what was the websockets talk about?\nwho gave the websockets talk?\n"
        "what is lucky?\nhow big was the websockets talk?\nwhy was the websockets talk "
        "good?\n"))
    assert result.exit_code == 0, result.output
    about, who, lucky, big, why = (json.loads(line) for line in result.output.splitlines())
    assert not big["confident"] and not why["confident"]  # a detail: the model decides
    assert about["session"]["title"] == "Websockets" and about["confident"]
    assert about["confidence"] >= 0.5  # the reported probability agrees
    # a one-word title that no other session has, asked about alone, names it in full
    assert lucky["session"]["title"] == "Lucky" and lucky["confident"]
    assert about["passage"].startswith("* Requires asynchronous behavior")  # its opening
    assert who["session"]["title"] == "Websockets" and who["session"]["speakers"] == []
    assert not who["confident"]


async def test_a_session_s_opening_is_its_first_passage_with_words_not_its_links(
        tmp_path: Path) -> None:
    """Talk notes often open with the talk's page and slides: "what was the type theory
    talk about" quotes the first passage that says something."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "types.md").write_text(
        "# Type theory 101\n\n* https://example.org/schedule/detail/49202\n"
        "* <https://example.org/slides>\n\n## Basics\n\n* connecting algebra with logic\n"
        "* logic is the science of argument\n\n## Languages\n\n"
        "* choose a language that allows pure functional programming\n", encoding="utf-8")
    (notes / "other.md").write_text("# Clojure\n\nA lisp on the JVM.\n", encoding="utf-8")
    async with answerer_over(notes) as answerer:
        answer = await answerer.answer(
            parse_question("what was the type theory talk about?"))
    assert answer.best is not None and answer.best.session.title == "Type theory 101"
    assert answer.best.text.startswith("* connecting algebra with logic")


async def test_a_passage_of_links_is_quoted_only_when_a_link_is_asked_for(
        tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "rust.md").write_text(
        "# How to learn Rust\n\n* https://example.org/rust-ownership-borrowing-lifetimes\n"
        "* https://example.org/slides/rust-ownership\n\n## Notes\n\n"
        "* the borrow checker enforces ownership when compiling\n* fighting it is normal\n",
        encoding="utf-8")
    for name in ("go", "zig", "nim"):
        (notes / f"{name}.md").write_text(f"# {name.title()}\n\nNotes on {name}.\n",
                                          encoding="utf-8")
    async with answerer_over(notes) as answerer:
        trace: list = []
        said = await answerer.answer(parse_question("rust ownership borrowing lifetimes?"),
                                     trace)
        links = await answerer.answer(parse_question("where are the rust ownership slides?"))
    assert trace[0].passage.text.startswith("* https://")  # the address's words rank it
    assert said.best is not None and said.best.text.startswith("* the borrow checker")
    assert links.best is not None and links.best.text.startswith("* https://")


async def test_a_question_naming_what_several_sessions_share_lists_them(tmp_path: Path
                                                                         ) -> None:
    """"what did they say about Go?" with three Go talks and "going" all over the notes:
    not "the notes don't cover that", but the sessions, to pick one."""
    notes = tmp_path / "notes"
    notes.mkdir()
    talks = {
        "Let's Learn Go": "Goroutines are cheap; channels pass values between them.",
        "Client-go Deep Dive": "Informers cache objects and resync them on a timer.",
        "Go at Scale": "Large monorepos build faster with the module cache warmed.",
    }
    for n in range(12):
        talks[f"Storage Talk {n}"] = (f"Where is storage going? Disk {n} is going away and "
                                      "flash is going to replace it, going by the numbers.")
    for n, (title, text) in enumerate(talks.items()):
        (notes / f"t{n}.md").write_text(f"---\ntitle: {title}\n---\n\n{text}\n",
                                        encoding="utf-8")
    async with answerer_over(notes) as answerer:
        topic = await answerer.answer(parse_question("what did they say about Go?"))
        detail = await answerer.answer(parse_question("what did the go talks say about rust?"))
    assert not topic.answered and topic.several
    assert {s.title for s in topic.nearest} == {"Let's Learn Go", "Client-go Deep Dive",
                                                "Go at Scale"}
    assert topic.to_json()["several"] is True
    assert {s["title"] for s in topic.to_json()["nearest"]} == {s.title for s in topic.nearest}
    text = answer_text(topic)
    assert text.splitlines()[0] == SEVERAL and "- Go at Scale" in text.splitlines()
    assert not detail.several  # a word no session's name holds: a plain decline or answer
