"""Every real corpus we were given reads without a crash, with plausible sessions."""

from __future__ import annotations

import pytest

from bot.corpus import load_corpus
from bot.corpus.passages import MAX_CHARS
from tests.conftest import CORPUS, shared_path

# (folder, fewest and most sessions we accept, a title that must be found)
REAL = [
    ("daneah-conference-notes", 65, 75, "Architecting with Channels"),
    ("k8s-contributor-summit-notes", 40, 48, "Cluster Federation"),
    ("lastcoolnameleft-conference-notes", 50, 75, "Istio"),
    ("openstack-barcelona-2016-proposals", 1500, 1600, "Getting Started With OpenStack"),
    ("rdo-openstack-hongkong-2013-proposals", 18, 22, "Getting started with OpenStack"),
]


@pytest.mark.parametrize("folder, low, high, title", REAL)
def test_real_corpus(folder: str, low: int, high: int, title: str) -> None:
    report = load_corpus([shared_path("corpora", folder)])
    assert low <= len(report.sessions) <= high
    titles = {s.title for s in report.sessions}
    assert title in titles
    assert not any(t.lower().startswith(("readme", "license")) for t in titles)
    for session in report.sessions:
        assert session.passages, session.title
        assert all(len(p.text) <= MAX_CHARS for p in session.passages), session.title
        assert all("\u00ad" not in p.text and "\u00a0" not in p.text for p in session.passages)


def test_k8s_invalid_utf8_file_is_used_and_reported() -> None:
    report = load_corpus([shared_path("corpora", "k8s-contributor-summit-notes")])
    flagged = [w.path for w in report.warnings]
    assert any(p.endswith("1345-1430_SIGGOVERNANCE.md") for p in flagged)
    assert "SIG Governance and Check-in" in {s.title for s in report.sessions}


def test_seed_blog_post_has_its_sessions_with_the_speakers_its_prose_names() -> None:
    report = load_corpus([shared_path("seed")])
    assert [s.title for s in report.sessions] == [
        "Opening “keynote”",
        "Open Compute",
        "Intercloud Object Storage: Colony",
        "Operating your OpenStack Private Cloud",
        "Database as a Service",
        "Extending OpenStack for Fun and Profit: Creating New Functionality with the "
        "Enhancements API",
        "Storing VMs with Cinder and Ceph RBD",
        "From Folsom to Grizzy: A DevOps Upgrade Pattern",
    ]
    assert {s.summit for s in report.sessions} == {"OpenStack 2012 Summit Day #1"}
    speakers = {s.title: s.speakers for s in report.sessions}
    assert speakers["Open Compute"] == ["Cole Crawford"]  # "was by Cole Crawford of the …"
    assert speakers["Intercloud Object Storage: Colony"] == ["Shigetoshi Yokoyama"]
    assert speakers["Database as a Service"] == []
    # the post's introduction belongs to no session, and the report says so with its lines
    assert not any("fastest growing" in p.text for s in report.sessions for p in s.passages)
    [warning] = report.warnings
    assert warning.path == "openstack-2012-summit-day1.txt"
    assert warning.reason.startswith("line 3, the post's introduction")


def test_every_bundled_file_loads_cleanly() -> None:
    """Like Red's trivia lists: each file we ship must validate, with nothing skipped."""
    report = load_corpus([CORPUS])
    assert not report.skipped and not report.warnings
    shipped = {p.name for p in CORPUS.iterdir() if p.name != "README.md"}
    used = {s.source for s in report.sessions}
    assert shipped == used
    suffixes = {p.suffix for p in CORPUS.iterdir()}
    assert {".md", ".yaml", ".txt", ".rst"} <= suffixes
    seven = {"Open Compute", "Intercloud Object Storage: Colony",
             "Operating your OpenStack Private Cloud", "Database as a Service",
             "Storing VMs with Cinder and Ceph RBD",
             "From Folsom to Grizzly: A DevOps Upgrade Pattern"}
    assert seven <= {s.title for s in report.sessions}
