"""Each notes format, and the mess real notes come in."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus import load_corpus
from bot.corpus.passages import MAX_CHARS


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_markdown_front_matter_gives_metadata(tmp_path: Path) -> None:
    _write(tmp_path, "talk.md", "---\ntitle: Scaling Swift\nspeakers: Ann Lee, Bo Chen\n"
           "summit: Test Summit\ndate: 2012-10-15\naliases: [swift scaling]\n---\n\n"
           "Swift scales out by adding storage nodes.\n\n## Rings\n\nRings map partitions.\n")
    report = load_corpus([tmp_path])
    assert not report.skipped
    (session,) = report.sessions
    assert session.title == "Scaling Swift"
    assert session.speakers == ["Ann Lee", "Bo Chen"]
    assert session.date == "2012-10-15"
    assert session.aliases == ["swift scaling"]
    assert [p.heading for p in session.passages] == [None, "Rings"]


def test_markdown_repeated_h1_splits_into_sessions(tmp_path: Path) -> None:
    _write(tmp_path, "day.md", "Intro of the day, not a session.\n\n# First Talk\n\nAlpha "
           "beta gamma.\n\n# Second Talk\n\nDelta epsilon zeta.\n")
    titles = [s.title for s in load_corpus([tmp_path]).sessions]
    assert titles == ["First Talk", "Second Talk"]


def test_markdown_without_title_uses_file_name(tmp_path: Path) -> None:
    _write(tmp_path, "istio-a-modern-service-mesh.md", "* sidecars everywhere\n* envoy\n")
    (session,) = load_corpus([tmp_path]).sessions
    assert session.title == "Istio a modern service mesh"


def test_file_without_extension_is_sniffed(tmp_path: Path) -> None:
    _write(tmp_path, "Docker-Networking-At-Scale", "* overlay networks\n  * vxlan\n")
    (session,) = load_corpus([tmp_path]).sessions
    assert session.title == "Docker Networking At Scale"
    assert "vxlan" in session.passages[0].text


def test_yaml_list_of_sessions(tmp_path: Path) -> None:
    _write(tmp_path, "talks.yaml", "summit: S\nsessions:\n  - title: A\n    notes: One.\n"
           "  - title: B\n    speakers: [X]\n    notes: |\n      Two.\n")
    sessions = load_corpus([tmp_path]).sessions
    assert [(s.title, s.summit, s.speakers) for s in sessions] == [
        ("A", "S", []), ("B", "S", ["X"])]


def test_a_conference_site_s_talk_list_is_read_in_its_own_words(tmp_path: Path) -> None:
    """name/abstract/description/speaker/presenters, as sites' talk lists write them; an
    entry with no notes is reported and the others are kept."""
    _write(tmp_path, "talks.yml", "- title: Scaling Postgres\n  speaker: Ann Lee\n"
           "  abstract: Partitioning keeps vacuum bounded.\n"
           "- name: Fast Queues\n  presenters:\n    - name: Bo Chen\n      company: Acme\n"
           "  description: Backpressure protects slow consumers.\n"
           "- title: Empty One\n  speakers: [Cy Dee]\n")
    report = load_corpus([tmp_path])
    assert [(s.title, s.speakers, [p.text for p in s.passages]) for s in report.sessions] == [
        ("Scaling Postgres", ["Ann Lee"], ["Partitioning keeps vacuum bounded."]),
        ("Fast Queues", ["Bo Chen"], ["Backpressure protects slow consumers."])]
    assert [w.reason for w in report.warnings] == [
        "session 3 (“Empty One”) has no notes and was not indexed"]


@pytest.mark.parametrize("content, reason", [
    ("- title: A\n", "no session notes were found"),
    ("- notes: hi\n", "'title' is required"),
    ("[unclosed\n", "not valid YAML"),
    ("just a string\n", "must hold a list of sessions"),
])
def test_bad_yaml_is_reported_with_a_reason(tmp_path: Path, content: str, reason: str) -> None:
    _write(tmp_path, "bad.yaml", content)
    _write(tmp_path, "good.md", "# Fine\n\nStill indexed.\n")
    report = load_corpus([tmp_path])
    assert [s.title for s in report.sessions] == ["Fine"]
    (skipped,) = report.skipped
    assert skipped.path == "bad.yaml" and reason in skipped.reason


def test_bad_front_matter_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\n\nText.\n")
    _write(tmp_path, "types.md", "---\ntitle: T\nspeakers: {a: {b: c}}\n---\n\nText.\n")
    report = load_corpus([tmp_path])
    reasons = {s.path: s.reason for s in report.skipped}
    assert "front matter is not valid YAML" in reasons["bad.md"]
    assert "speakers" in reasons["types.md"]


def test_plain_text_blog_post(tmp_path: Path) -> None:
    _write(tmp_path, "day.txt", "My Summit Day\n\nI went to a summit. It was big.\n\n"
           "Storage Deep Dive\n\nWe learned about disks. They spin.\n\nWhy does it matter?\n\n"
           "Because data.\n\nNetworking Basics\n\nPackets go places.\n")
    sessions = load_corpus([tmp_path]).sessions
    assert [s.title for s in sessions] == ["Storage Deep Dive", "Networking Basics"]
    assert sessions[0].summit == "My Summit Day"
    assert "Why does it matter?" in sessions[0].passages[0].text  # a question is not a title


def test_rst_sections_with_speakers(tmp_path: Path) -> None:
    _write(tmp_path, "track.rst", "Storage Track\n=============\n\nFirst Talk\n~~~~~~~~~~\n\n"
           "**Abstract:**\n\nAll about disks.\n\n* **Ann Lee** *(Ann builds storage.)*\n\n"
           "Second Talk\n~~~~~~~~~~~\n\nAll about tapes.\n\n.. include:: /etc/passwd\n")
    sessions = load_corpus([tmp_path]).sessions
    assert [(s.title, s.track) for s in sessions] == [
        ("First Talk", "Storage Track"), ("Second Talk", "Storage Track")]
    assert sessions[0].speakers == ["Ann Lee"]
    assert all("root:" not in p.text for s in sessions for p in s.passages)


def test_an_8_bit_file_is_read_as_windows_1252_and_damaged_utf8_as_utf8(tmp_path: Path
                                                                        ) -> None:
    """A file saved on Windows ("Caf\xe9", “quotes” as 0x93/0x94) keeps its accents; a
    UTF-8 file with one bad byte keeps its UTF-8 characters and loses only that byte."""
    _write(tmp_path, "latin.md", "# Café Talk\n\nNotes about “cafés”.\n".encode("cp1252"))
    _write(tmp_path, "damaged.md", "# Zürich Talk\n\nŁukasz spoke.".encode() + b" \xff\n")
    report = load_corpus([tmp_path])
    by_source = {s.source: s for s in report.sessions}
    assert by_source["latin.md"].title == "Café Talk"
    assert by_source["latin.md"].passages[0].text == "Notes about “cafés”."
    assert by_source["damaged.md"].title == "Zürich Talk"
    assert by_source["damaged.md"].passages[0].text == "Łukasz spoke. \ufffd"
    reasons = {w.path: w.reason for w in report.warnings}
    assert "read as Windows-1252" in reasons["latin.md"]
    assert "bad bytes were replaced" in reasons["damaged.md"]


def test_hugo_toml_front_matter_gives_metadata(tmp_path: Path) -> None:
    _write(tmp_path, "rust.md", '+++\ntitle = "Rust for Pythonistas"\ndate = 2021-07-02\n'
           'speakers = ["Ann Lee"]\ntags = ["rust"]\ndraft = false\n+++\n\n'
           "Ownership replaces the garbage collector.\n")
    _write(tmp_path, "bad.md", '+++\ntitle = "Unclosed\n+++\n\nSome notes.\n')
    report = load_corpus([tmp_path])
    (session,) = report.sessions
    assert (session.title, session.speakers, session.date, session.tags) == (
        "Rust for Pythonistas", ["Ann Lee"], "2021-07-02", ["rust"])
    assert [p.text for p in session.passages] == ["Ownership replaces the garbage collector."]
    (skipped,) = report.skipped
    assert skipped.path == "bad.md" and "front matter is not valid TOML" in skipped.reason


def test_a_blog_post_s_dated_file_name_gives_its_date_not_its_title(tmp_path: Path) -> None:
    """Jekyll names posts 2019-05-03-title.md; the date is the note's, unless it has one."""
    _write(tmp_path, "2019-05-03-pycon-keynote-lighthouses.md",
           "The keynote opened with a story about lighthouses.\n")
    _write(tmp_path, "2019-05-04-sprints.md",
           "---\ndate: 2019-05-06\n---\n\nThe sprints ran for four days.\n")
    _write(tmp_path, "2019-13-45-not-a-date.md", "A file whose name only looks dated.\n")
    _write(tmp_path, "ViennaJS-2013-11-27.md", "Meetup notes: formula.js and neo4j.\n")
    dates = {s.title: s.date for s in load_corpus([tmp_path]).sessions}
    assert dates == {"Pycon keynote lighthouses": "2019-05-03", "Sprints": "2019-05-06",
                     "Not a date": None, "ViennaJS": "2013-11-27"}


def test_a_byline_under_the_title_names_the_speaker(tmp_path: Path) -> None:
    _write(tmp_path, "setext.md", "State Machines\n==============\n\nBy Bob Smith, Acme\n\n"
           "Zebra crossings were the running example.\n")
    _write(tmp_path, "prose.md", "# Schedulers\n\nBy default, the scheduler runs hourly.\n")
    _write(tmp_path, "later.md", "# Queues\n\nQueues decouple services.\n\nBy Ann Lee\n")
    sessions = {s.title: s for s in load_corpus([tmp_path]).sessions}
    assert sessions["State Machines"].speakers == ["Bob Smith"]
    assert [p.text for p in sessions["State Machines"].passages] == [
        "Zebra crossings were the running example."]
    assert sessions["Schedulers"].speakers == []
    assert sessions["Queues"].speakers == []


def test_invisible_characters_and_html_are_cleaned(tmp_path: Path) -> None:
    _write(tmp_path, "x.md", "# Soft\u00adware <b>Talk</b>\n\nNo\u00a0break and "
           "<span class='x'>tags</span> {{ site.url }} go.\n")
    (session,) = load_corpus([tmp_path]).sessions
    assert session.title == "Software Talk"
    assert session.passages[0].text == "No break and tags go."


def test_tags_in_code_and_named_in_prose_are_kept(tmp_path: Path) -> None:
    """Only markup goes: notes about HTML or generics quote their code and tag names."""
    _write(tmp_path, "x.md", "# Landmarks\n\nLandmarks like <nav> and <aside> help; "
           "<b>really</b>.\n\n* **Do:** `<button>Go</button>` in List<Integer>\n\n"
           "```\n<span class=\"btn\">Go</span>\n```\n\nSee <img\n src=\"a.png\"> here.\n")
    (session,) = load_corpus([tmp_path]).sessions
    text = "\n".join(p.text for p in session.passages)
    assert "like <nav> and <aside> help; really." in text
    assert "`<button>Go</button>` in List<Integer>" in text
    assert '<span class="btn">Go</span>' in text
    assert "<img" not in text and "src" not in text


def test_readme_license_empty_and_binary_files(tmp_path: Path) -> None:
    _write(tmp_path, "README.md", "# Not a session\n\nAbout the repo.\n")
    _write(tmp_path, "LICENSE", "MIT License\n\nPermission is hereby granted.\n")
    _write(tmp_path, "empty.md", "")
    _write(tmp_path, "blob.txt", b"\x00\x01\x02binary")
    _write(tmp_path, "talk.md", "# Real Talk\n\nReal notes.\n")
    report = load_corpus([tmp_path])
    assert [s.title for s in report.sessions] == ["Real Talk"]
    reasons = {s.path: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.md", "blob.txt"}
    assert "empty" in reasons["empty.md"] and "binary" in reasons["blob.txt"]


def test_long_one_line_abstract_is_cut_at_sentences(tmp_path: Path) -> None:
    sentence = "This sentence is about cloud storage and networking at scale. "
    _write(tmp_path, "long.md", "# Long\n\n" + sentence * 60 + "\n")
    (session,) = load_corpus([tmp_path]).sessions
    assert len(session.passages) > 3
    for passage in session.passages:
        assert len(passage.text) <= MAX_CHARS
        assert passage.text.endswith(".")


def test_bullet_outline_keeps_parent_with_children(tmp_path: Path) -> None:
    children = "\n".join(f"  * detail number {i} about the control plane" for i in range(30))
    _write(tmp_path, "outline.md", f"# Outline\n\n* Control plane\n{children}\n* Data plane\n")
    (session,) = load_corpus([tmp_path]).sessions
    assert len(session.passages) >= 2
    for passage in session.passages:
        assert len(passage.text) <= MAX_CHARS
    assert sum(p.text.startswith("* Control plane") for p in session.passages) >= 2


def test_missing_path_is_reported(tmp_path: Path) -> None:
    report = load_corpus([tmp_path / "nope"])
    assert report.skipped[0].reason == "it does not exist"


def test_plain_text_and_rst_read_bylines_and_speaker_labels(tmp_path: Path) -> None:
    """A byline is not a title of its own; a label that runs on into the abstract gives its
    names and keeps its words."""
    _write(tmp_path, "post.txt", "My Summit Notes\n\nA day of talks, written up.\n\n"
           "State Machines\n\nBy Bob Smith\n\nZebra crossings were the running example.\n\n"
           "Queues Talk\n\nSpeaker: Ann Lee\n\nQueues decouple services.\n")
    _write(tmp_path, "track.rst", "Talks\n=====\n\nFirst Talk\n~~~~~~~~~~\n\nBy Bo Chen\n\n"
           "All about disks.\n\nSecond Talk\n~~~~~~~~~~~\n\nPresenters: Cy Dee, Acme and Ed "
           "Fox, Initech. Abstract: tapes outlive every disk format that replaced them, and "
           "we show why.\n")
    sessions = {(s.source, s.title): s for s in load_corpus([tmp_path]).sessions}
    assert [(k[1], s.speakers, [p.text for p in s.passages]) for k, s in sessions.items()
            if k[0] == "post.txt"] == [
        ("State Machines", ["Bob Smith"], ["Zebra crossings were the running example."]),
        ("Queues Talk", ["Ann Lee"], ["Queues decouple services."])]
    first, second = sessions["track.rst", "First Talk"], sessions["track.rst", "Second Talk"]
    assert (first.speakers, [p.text for p in first.passages]) == (
        ["Bo Chen"], ["All about disks."])
    assert second.speakers == ["Cy Dee", "Ed Fox"]
    assert "tapes outlive every disk format" in second.passages[0].text


def test_a_talk_in_a_folder_of_its_own_is_read_from_its_readme(tmp_path: Path) -> None:
    """talks/async-patterns/README.md is that talk's notes, titled from its folder; a
    repository's README above other notes, or an event's beside them, is not notes."""
    _write(tmp_path, "README.md", "# My conference notes\n\nWhat this repository is.\n")
    _write(tmp_path, "pycon/README.md", "# PyCon 2019\n\nLinks to the talks below.\n")
    _write(tmp_path, "pycon/keynote.md", "# Keynote\n\nThe keynote was about teaching.\n")
    _write(tmp_path, "pycon/async-patterns/README.md",
           "Structured concurrency with task groups.\n\n- cancel scopes\n- timeouts\n")
    _write(tmp_path, "pycon/async-patterns/images/diagram.png", b"\x89PNG")
    _write(tmp_path, "pycon/type-hints/index.md", "Gradual typing paid off with CI.\n")
    sessions = {s.source: s.title for s in load_corpus([tmp_path]).sessions}
    only = tmp_path / "readme-only"
    _write(only, "README.md", "# jQuery UK 2031 notes\n\n## Talk one\n\nby Jane Roe\n\n"
           "- a point\n")
    _write(only, "logo.png", b"\x89PNG")
    assert [s.title for s in load_corpus([only]).sessions] == ["jQuery UK 2031 notes"]
    assert sessions == {"pycon/keynote.md": "Keynote",
                        "pycon/async-patterns/README.md": "Async patterns",
                        "pycon/type-hints/index.md": "Type hints"}


def test_notes_in_a_format_not_read_are_named_not_passed_over(tmp_path: Path) -> None:
    _write(tmp_path, "talk.org", "* Talk\nOrg notes.\n")
    _write(tmp_path, "talk.HTML", "<h1>Talk</h1><p>Notes.</p>")
    _write(tmp_path, "photo.jpg", b"\xff\xd8\xff")
    _write(tmp_path, "fine.md", "# Fine\n\nStill indexed.\n")
    report = load_corpus([tmp_path])
    assert [s.title for s in report.sessions] == ["Fine"]
    assert {s.path: s.reason for s in report.skipped} == {
        "talk.HTML": "summit-bot does not read .html files; convert it to Markdown (pandoc "
                     "does) to index it",
        "talk.org": "summit-bot does not read .org files; convert it to Markdown (pandoc "
                    "does) to index it"}


def test_a_title_that_is_a_link_gives_the_talk_s_page(tmp_path: Path) -> None:
    _write(tmp_path, "linked.md", "# [Rust in the kernel](https://example.org/talks/rust)\n\n"
           "Drivers first, then subsystems.\n")
    _write(tmp_path, "own.md", "---\nurl: https://example.org/own\n---\n\n"
           "# [Own page](https://example.org/other)\n\nThe front matter's page wins.\n")
    urls = {s.title: s.url for s in load_corpus([tmp_path]).sessions}
    assert urls == {"Rust in the kernel": "https://example.org/talks/rust",
                    "Own page": "https://example.org/own"}


def test_a_date_line_under_the_title_dates_the_notes(tmp_path: Path) -> None:
    _write(tmp_path, "genai.md", "# Generative AI\n\n2031-08-14\n\n### Key takeaways\n\n"
           "- evaluate before you ship\n")
    _write(tmp_path, "prose.md", "# Release trains\n\nMay 3 was the cut-off, they said.\n")
    sessions = {s.title: s for s in load_corpus([tmp_path]).sessions}
    genai = sessions["Generative AI"]
    assert genai.date == "2031-08-14"
    assert [p.text for p in genai.passages] == ["- evaluate before you ship"]
    assert sessions["Release trains"].date is None


def test_index_pages_are_skipped_with_the_reason(tmp_path: Path) -> None:
    """A page of links to the day files, and a site's index page of one line above its
    folders of notes, are reported, not quoted; a talk's index.md in a folder of its own
    is that talk's notes."""
    _write(tmp_path, "conf/conf.md", "# Rubyconf 2031\n\n[Day 1](./day-1.md)\n"
           "[Day 2](day-2.md)\n")
    _write(tmp_path, "conf/day-1.md", "# Object shapes\n\nShapes cut lookups.\n")
    _write(tmp_path, "content/_index.md", "---\ntitle: Re:Build 2031\n---\nThese are notes\n")
    _write(tmp_path, "content/build/devops.md", "# How we ship\n\nSmall batches.\n")
    _write(tmp_path, "talks/async-patterns/index.md", "Await less, gather more.\n")
    report = load_corpus([tmp_path])
    assert sorted(s.title for s in report.sessions) == [
        "Async patterns", "How we ship", "Object shapes"]
    reasons = {s.path: s.reason for s in report.skipped}
    assert set(reasons) == {"conf/conf.md", "content/_index.md"}
    assert all("index page" in r for r in reasons.values())


def test_dates_in_file_and_folder_names_and_speaker_headings(tmp_path: Path) -> None:
    _write(tmp_path, "2031-5-3-ga4-webinar.txt", "Events replace sessions.\n")
    _write(tmp_path, "Tinkerers/2031 06 10/Voice Forms.md", "# Voice Forms\n\nFill by voice.\n")
    _write(tmp_path, "Organ Lesion Prediction.md", "Tomas Furlan, HK3Labs\n\n---\n\n"
           "Toxicology from text.\n")
    _write(tmp_path, "docker.md", "# The World of Docker\n\n## Ian Mills - @imills - 4 Feb "
           "2031 09:00\n\nImages are layers.\n")
    sessions = {s.title: s for s in load_corpus([tmp_path]).sessions}
    assert sessions["Ga4 webinar"].date == "2031-05-03"
    assert sessions["Voice Forms"].date == "2031-06-10"
    assert sessions["Organ Lesion Prediction"].speakers == ["Tomas Furlan"]
    docker = sessions["The World of Docker"]
    assert (docker.speakers, docker.date) == (["Ian Mills"], "4 Feb 2031")


def test_a_linked_speaker_line_and_a_linked_section_heading(tmp_path: Path) -> None:
    """"[Speaker: Will Dole, Supermassive Games](url)" names the speaker (not the studio);
    "# Overview(https://…)" is a section, not the title: the file name is."""
    _write(tmp_path, "Brain Hacks - ADHD City.md", "[Speaker: Anna Hollin, Mediatonic]"
           "(https://anna.example/)\n# Overview(https://stage.example/5884/session)\n"
           "- timers help\n")
    _write(tmp_path, "dark.md", "# Interactive Narrative\n\n[Speaker: Will Dole, Supermassive "
           "Games](https://x.example/wd)\n\nBranching costs.\n")
    _write(tmp_path, "crash.md", "# Crash Detector\n\nSpeakers: [Dan Macca](https://www."
           "linkedin.com/in/dm/), [Angela Addis](https://www.linkedin.com/in/aa/)\n\nIMU data.\n")
    sessions = {s.title: s for s in load_corpus([tmp_path]).sessions}
    assert sessions["Brain Hacks - ADHD City"].speakers == ["Anna Hollin"]
    assert sessions["Interactive Narrative"].speakers == ["Will Dole"]
    assert sessions["Crash Detector"].speakers == ["Dan Macca", "Angela Addis"]
    assert "Speaker" not in sessions["Interactive Narrative"].passages[0].text


def test_markdown_saved_as_txt_is_read_by_its_headings(tmp_path: Path) -> None:
    """A .txt of Markdown headings, days named in French, talks as "Kind - Title - Name"."""
    _write(tmp_path, "newconf.txt", "# 1er jour\n## Opening Keynote - Engineering Care - Dana "
           "Farleigh\n- feedback loops\n## Talk - Half a decade of mobbing - Ulla Malm\n- rotate"
           "\n# 2ème jour\n## Hands-on - Slow code retreat - Philippe Bour\n- katas\n")
    sessions = load_corpus([tmp_path]).sessions
    assert [(s.title, s.speakers) for s in sessions] == [
        ("Opening Keynote - Engineering Care", ["Dana Farleigh"]),
        ("Half a decade of mobbing", ["Ulla Malm"]),
        ("Hands-on - Slow code retreat", ["Philippe Bour"])]


def test_docc_directives_and_a_table_of_contents_are_not_quoted(tmp_path: Path) -> None:
    _write(tmp_path, "Shortcuts.md", "# Unleashing Shortcuts\n\n@Metadata {\n    @TitleHeading("
           "\"Talk\")\n}\n\nBenno Krause\n\n* [Intents](#intents)\n* [Apps](#apps)\n\n"
           "## Intents\n\nIntents expose actions.\n\n```swift\n@Metadata {\n```\n")
    (talk,) = load_corpus([tmp_path]).sessions
    assert talk.speakers == ["Benno Krause"]
    text = "\n".join(p.text for p in talk.passages)
    assert "TitleHeading" not in text and "(#intents)" not in text and "* Intents" in text
    assert "Intents expose actions." in text and "@Metadata {" in text  # code stays


def test_a_heading_that_is_the_note_itself_is_kept(tmp_path: Path) -> None:
    """"### Avoid jargon and acronyms" with nothing under it is a note; an empty template
    part ("### Key Takeaways / Analysis of Situation", "### Date & time: 11/18 2PM") and a
    heading over sub-headings are not."""
    _write(tmp_path, "talk.md", "# Writing docs\n\n### Avoid jargon and acronyms\n\n"
           "### Key Takeaways / Analysis of Situation\n\n### Date & time: 11/18 2PM\n\n"
           "### Where readers come from and why\n\n#### Search\n\nMost come from search.\n")
    (talk,) = load_corpus([tmp_path]).sessions
    assert [p.text for p in talk.passages] == ["Avoid jargon and acronyms",
                                               "Most come from search."]


def test_jekyll_posts_are_read_and_a_meetup_post_splits_at_its_bylined_talks(
        tmp_path: Path) -> None:
    """Notes in a Jekyll site's _posts/ were passed over without a word (every folder
    starting with "_" was); its _layouts/ and _site/ are still not notes."""
    _write(tmp_path, "_posts/2031/10/2031-10-22-best7.md", "---\ntitle: \"Engineers Share #7 - "
           "Blockchain\"\n---\n\n{% include toc.md %}\n\n## Introduction to blockchain\n\n"
           "By Chloé Moreau, Java engineer @ ekino\n\nBlocks chain.\n\n## Decentralization\n\n"
           "By [Hugo Briand](https://x.example/hb){:rel=\"nofollow\"}, Lead @ ekino\n\n"
           "Sharding helps.\n")
    _write(tmp_path, "_layouts/post.md", "# {{ page.title }}\n\n{{ content }} layout words\n")
    _write(tmp_path, "_site/index.md", "# Built page\n\nGenerated words.\n")
    sessions = load_corpus([tmp_path]).sessions
    assert [(s.title, s.speakers, s.summit, s.date) for s in sessions] == [
        ("Introduction to blockchain", ["Chloé Moreau"], "Engineers Share #7 - Blockchain",
         "2031-10-22"),
        ("Decentralization", ["Hugo Briand"], "Engineers Share #7 - Blockchain", "2031-10-22")]
    assert all("{:" not in p.text for s in sessions for p in s.passages)


def test_one_talk_with_its_details_above_its_parts_is_not_a_listing(tmp_path: Path) -> None:
    details = "".join(f"> detail line {n}\n>\n" for n in range(8))
    _write(tmp_path, "mimir.md", "---\ntitle: From Thanos to Mimir\n---\n\n# From Thanos to "
           "Mimir\n\n" + details + "\n## Speaker\n\nMike Hsu wrote about Grafana.\n\n"
           "## Architecture\n\nKafka buffers writes.\n\n## Numbers\n\nCosts fell.\n")
    (talk,) = load_corpus([tmp_path]).sessions
    assert talk.title == "From Thanos to Mimir" and len(talk.passages) >= 3


def test_an_rst_talk_with_its_details_as_fields_is_one_session(tmp_path: Path) -> None:
    """"Effective Code Review" over ":Date:", ":Speaker:", ":Slides:" and its parts as
    sections is one talk (its parts were read as sessions of a track, its details lost)."""
    _write(tmp_path, "review.rst", "=====================\nEffective Code Review\n"
           "=====================\n\n:Date:\n    2031-07-18\n\n:Speaker:\n    Dan Menardo\n\n"
           ":Slides:\n    https://slides.example/review.ppt\n\n*Everyone should review!*\n\n"
           "Why?\n====\n\n+ You write better code when it will be judged\n\n"
           "Tips\n====\n\n+ Keep reviews small\n")
    (talk,) = load_corpus([tmp_path]).sessions
    assert (talk.title, talk.speakers, talk.date, talk.url, talk.track) == (
        "Effective Code Review", ["Dan Menardo"], "2031-07-18",
        "https://slides.example/review.ppt", None)
    assert [p.heading for p in talk.passages] == [None, "Why?", "Tips"]
    assert "Speaker" not in talk.passages[0].text


def test_plain_notes_are_not_lost_before_a_title_like_line(tmp_path: Path) -> None:
    """Six paragraphs of notes then "Math.log10(100) is 2": that line is a note (code), and
    nothing before a first title is dropped in silence."""
    _write(tmp_path, "2031-03-06 js medley.txt", "int.toString(2) gives binary\n\n"
           "Array.from of a string splits it\n\nMath.log10(100) is 2\n\nBenford's law holds.\n")
    _write(tmp_path, "day.txt", "notes before any talk\n\nStorage Deep Dive\n\nDisks.\n\n"
           "Network Basics\n\nPackets.\n")
    report = load_corpus([tmp_path])
    medley = next(s for s in report.sessions if s.source == "2031-03-06 js medley.txt")
    assert medley.title == "Js medley" and "int.toString(2)" in medley.passages[0].text
    assert [s.title for s in report.sessions if s.source == "day.txt"] == [
        "Storage Deep Dive", "Network Basics"]
    assert any("line 1, before the first session" in str(w) for w in report.warnings)


def test_docutils_messages_are_not_quoted_from_rst_lists(tmp_path: Path) -> None:
    """"<string>:62: (WARNING/2) Inline strong start-string without end-string." sat in
    the text of list items (report_level hides it from the stream, not from the tree)."""
    _write(tmp_path, "p.rst", "Proposals\n=========\n\n- **Jane Roe ** (bio)\n- **Ann Lee** (bio)"
           "\n\n  * ...\n")
    (session,) = load_corpus([tmp_path]).sessions
    text = "\n".join(p.text for p in session.passages)
    assert "<string>" not in text and "WARNING" not in text and "Ann Lee" in text


def test_a_readme_of_links_to_talk_folders_is_an_index_and_linked_tools_stay(
        tmp_path: Path) -> None:
    _write(tmp_path, "README.md", "# reinvent-notes.\n\n* [Blockchain](./blockchain)\n"
           "* [Racing](./racing/)\n")
    _write(tmp_path, "blockchain/README.md", "# Blockchain.\n\nLedgers.\n")
    _write(tmp_path, "racing/README.md", "# Racing.\n\nTelemetry.\n\n### [Nest](https://nest.example"
           ")\n\n### RedisProps\n")
    report = load_corpus([tmp_path])
    assert [s.path for s in report.skipped] == ["README.md"]
    racing = next(s for s in report.sessions if s.title.startswith("Racing"))
    assert [p.text for p in racing.passages] == ["Telemetry.", "[Nest](https://nest.example)"]


def test_a_talk_card_quoted_under_its_title_gives_speaker_and_date(tmp_path: Path) -> None:
    """Notes that quote their talk's card ("> Nick Dahl／Trend Research", "> 2031-05-07
    15:30 - 16:00 @ Hall 7"), then numbered parts: one talk, not a listing of its parts."""
    _write(tmp_path, "ime.md", "---\ntitle: Your IME is spying\n---\n\n# Your IME is spying\n\n"
           "> Nick Dahl／Trend Research\n\n> 2031-05-07 15:30 - 16:00 @ Hall 7\n\n"
           "## Summary\n\nUpdaters were hijacked.\n\n## 1. First clue\n\nOdd IR event.\n\n"
           "## 2. Logs\n\nA legit updater fetched malware.\n")
    (talk,) = load_corpus([tmp_path]).sessions
    assert (talk.title, talk.speakers, talk.date) == (
        "Your IME is spying", ["Nick Dahl"], "2031-05-07")
    assert [p.heading for p in talk.passages][-2:] == ["1. First clue", "2. Logs"]


def test_an_rst_talk_whose_first_line_names_its_speaker(tmp_path: Path) -> None:
    _write(tmp_path, "k.rst", "Adventures in Djangoland\n========================\n\n"
           "Baptiste Mispel\nhttps://slides.example/adv\n\n- got into django by accident\n")
    (talk,) = load_corpus([tmp_path]).sessions
    assert talk.speakers == ["Baptiste Mispel"]
    assert "https://slides.example/adv" in talk.passages[0].text


def test_an_rst_talk_with_an_author_part_is_one_talk_by_that_author(tmp_path: Path) -> None:
    """"Author" over "* Jack Diedrich" is the talk's detail: its name was taken out as a
    names line, the part left empty and dropped, and the name lost without a word."""
    _write(tmp_path, "classes.rst", "====================\nStop Writing Classes\n"
           "====================\n\nAuthor\n------\n  * Jack Diedrich\n\nWhen to refactor\n"
           "----------------\n  * two methods, one is __init__\n")
    (talk,) = load_corpus([tmp_path]).sessions
    assert (talk.title, talk.speakers) == ("Stop Writing Classes", ["Jack Diedrich"])
    assert "two methods" in "\n".join(p.text for p in talk.passages)


def test_keynote_remarks_name_their_speakers_and_stay_quoted(tmp_path: Path) -> None:
    _write(tmp_path, "velocity.md", "# Keynotes, Wednesday\n\n- James Mickel: bashing "
           "things at random\n- Ana Oprea (Google): error budgets\n")
    (keynote,) = load_corpus([tmp_path]).sessions
    assert keynote.speakers == ["James Mickel", "Ana Oprea"]
    assert "error budgets" in keynote.passages[0].text


def test_a_file_without_extension_with_a_setext_title_is_markdown(tmp_path: Path) -> None:
    _write(tmp_path, "devops-days-docker", "Always be shipping\n------------------\n\n"
           "Opinionated platforms are easy.\n")
    _write(tmp_path, "spring-one-2031-junit5.md", "# Sam Brannon\n\nJUnit core committer\n\n"
           "* Jupiter engine\n")
    _write(tmp_path, "techjam.md", "# TechJam 2031\n\n## Deep Learning\n\nUsing Jupyter\n\n"
           "- spot instances\n\n## Serverless\n\nJane Roe\n\n- cold starts\n\n## Chaos\n\n"
           "Ann Lee\n\n- fail\n")
    sessions = {s.title: s for s in load_corpus([tmp_path]).sessions}
    assert [p.text for p in sessions["Always be shipping"].passages] == [
        "Opinionated platforms are easy."]
    junit = sessions["Spring one 2031 junit5"]
    assert junit.speakers == ["Sam Brannon"]
    assert sessions["Deep Learning"].speakers == []


def test_compact_dates_in_file_and_folder_names(tmp_path: Path) -> None:
    _write(tmp_path, "lightning-20310320.md", "What is TDD?\n\nNobody does it.\n")
    _write(tmp_path, "20310601-BeerCityCode/k8s.md", "# Intro to Kubernetes\n\nPods.\n")
    _write(tmp_path, "build-20319999.md", "# Not a date\n\nNumbers.\n")
    dates = {s.source: s.date for s in load_corpus([tmp_path]).sessions}
    assert dates == {"lightning-20310320.md": "2031-03-20",
                     "20310601-BeerCityCode/k8s.md": "2031-06-01", "build-20319999.md": None}
