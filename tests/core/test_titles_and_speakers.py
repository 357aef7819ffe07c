"""Title lines and speaker lines as notes write them (no ../shared needed)."""

from __future__ import annotations

import pytest

from bot.corpus.markdown import read_markdown
from bot.corpus.people import people, person_name
from bot.corpus.prose import prose_speakers
from bot.corpus.titles import names_line, split_title


@pytest.mark.parametrize("line, stem, expected", [
    ('"Loop Better" by [Trey Hunner](https://www.twitter.com/treyhunner)', None,
     ("Loop Better", ["Trey Hunner"])),
    ('"Evolution of API Design" by [Eric Baer, Formidable](https://x.example/e)', None,
     ("Evolution of API Design", ["Eric Baer"])),
    ('"A Corpus by Corruption" by Jo Roe and Al Poe, Acme', None,
     ("A Corpus by Corruption", ["Jo Roe", "Al Poe"])),
    ("Try-Monads with PySpark by [Jordan Yaker](https://x.example/j), CEO hireross", None,
     ("Try-Monads with PySpark", ["Jordan Yaker"])),
    ("Preserving Anonymity by Subverting Stylometry", None,
     ("Preserving Anonymity by Subverting Stylometry", [])),
    ("OpenShift by Red Hat: an overview", None, ("OpenShift by Red Hat: an overview", [])),
    ("Kubernetes Deconstructed - Carson Anderson, DOMO @carsonoid", "kubernetes-deconstructed",
     ("Kubernetes Deconstructed", ["Carson Anderson"])),
    ("Session Title  Managing secrets", None, ("Managing secrets", [])),
    ("Title: Container Defense in Depth", None, ("Container Defense in Depth", [])),
    ("Clouds compared, moderated by Owen Rogers, 451 Research", None,
     ("Clouds compared", ["Owen Rogers"])),
    ("Talk on storage by Jane Roe", "talk-on-storage-jane-roe",
     ("Talk on storage", ["Jane Roe"])),
])
def test_title_lines(line: str, stem: str | None, expected: tuple[str, list[str]]) -> None:
    assert split_title(line, stem) == expected


@pytest.mark.parametrize("text, expected", [
    ("Andrew Godwin, Django Core Developer, Eventbrite", ["Andrew Godwin"]),
    ("Anna Schneider, @windupana, @wattTime", ["Anna Schneider"]),
    ("Apart Sinha, Google & Ihop Dvoretskyi,\n    Mirantis", ["Apart Sinha", "Ihop Dvoretskyi"]),
    ("Chris Mullins (sr dir, bot framework)", ["Chris Mullins"]),
    ("Louis Ryan @ Google & Shriram Rajajopalan @ IBM", ["Louis Ryan", "Shriram Rajajopalan"]),
    ("Zihao Yu, Illya Chekrygin, Sr Staff Eng, HBO", ["Zihao Yu", "Illya Chekrygin"]),
    ("Kenneth Hui, Dan Radez, John Mark Walker", ["Kenneth Hui", "Dan Radez", "John Mark Walker"]),
    ("Walter Fender / cheftako", ["Walter Fender"]),
    ("Dr. Elisha Rosensweig", ["Elisha Rosensweig"]),
    ("munnerz with assist from lavalamp", []),
    ("None None", []),
    ("@phildini", []),
])
def test_speaker_lists(text: str, expected: list[str]) -> None:
    assert people(text) == expected


def test_a_single_name_counts_only_where_the_context_says_it_is_a_name() -> None:
    assert person_name("Glyph") is None
    assert person_name("Glyph", allow_single=True) == "Glyph"
    assert person_name("HBO", allow_single=True) is None
    assert people("Jaice, Aparna, Ihor", allow_single=True) == ["Jaice", "Aparna", "Ihor"]


def test_unlabelled_lines_need_a_known_first_name() -> None:
    assert names_line("Pixar Philosophy", strict=True) == []
    assert names_line("Anna Schneider", strict=True) == ["Anna Schneider"]
    assert names_line("Standing room only", strict=False) == []


def test_speakers_named_in_prose() -> None:
    text = ("The first session I attended was by Cole Crawford of the Open Compute "
            "Foundation. It was good.")
    assert prose_speakers(text) == ["Cole Crawford"]
    assert prose_speakers("The speaker, Tim Smith, is a co-founder.") == ["Tim Smith"]
    assert prose_speakers("This was led by Rahul Dhide and Dan Romlein\nResources") == [
        "Rahul Dhide", "Dan Romlein"]
    assert prose_speakers("Built by Red Hat engineers in a hurry.") == []


def test_markdown_layouts() -> None:
    [talk] = read_markdown("# Just Enough Typography\n## Joni Trythall\n\n### Ideas\n\n* a b c\n",
                           "t.md", "typography")
    assert (talk.title, talk.speakers) == ("Just Enough Typography", ["Joni Trythall"])
    [talk] = read_markdown("# Pixar\n\n## Pixar Philosophy\n\n* Peer relationships matter\n",
                           "p.md", "pixar")
    assert (talk.title, talk.speakers) == ("Pixar", [])
    [talk] = read_markdown("## Presenter: Ben the Elder\n\n#### Topic:\nKind\n\nNotes here.\n",
                           "k.md", "kind-ben-the-elder")
    assert (talk.title, talk.speakers) == ("Kind", ["Ben the Elder"])
    [talk] = read_markdown("# Swarm\n\n* features\n    # docker service create x\n  * more\n",
                           "s.md", "swarm")
    assert talk.title == "Swarm"
    [talk] = read_markdown("* Who\n  * Elise Philips\n  * Paul Burt\n* What is standard?\n"
                           "  * ISO is well known\n", "c.md", "cni-cri-oci-oh-my")
    assert (talk.title, talk.speakers) == ("Cni cri oci oh my", ["Elise Philips", "Paul Burt"])
    keynote = ("# Dan Kohn - Exec Dir - CNCF\n\n* welcome all\n\n# Open Tracing\n\n* spans\n\n"
               "# Michelle Noorali, Sr S/w eng, Azure\n\n* helm\n")
    [talk] = read_markdown(keynote, "KubeCon-2017/Day-1-keynote.md", "Day-1-keynote")
    assert (talk.title, talk.speakers) == ("Day 1 keynote", ["Dan Kohn", "Michelle Noorali"])


def test_text_before_the_first_talk_of_a_listing_is_reported() -> None:
    text = ("---\ntitle: Proposals\n---\n\n# Proposals\n\nThese were submitted.\n\n"
            "===Alarming=== Eoghan Glynn, Red Hat\n\nAbout alarms.\n\n## Getting started\n\n"
            "Dan Radez\n\nHow to start.\n\n## TryStack\n\nDan Radez\n\nA public cloud.\n")
    warnings: list[str] = []
    talks = read_markdown(text, "p.md", "p", warnings.append)
    assert [(t.title, t.speakers) for t in talks] == [
        ("Alarming", ["Eoghan Glynn"]), ("Getting started", ["Dan Radez"]),
        ("TryStack", ["Dan Radez"])]
    assert warnings == ["line 7, before the first session, is not part of any session and "
                        "was not indexed"]


def test_rst_sub_sections_are_kept_and_loose_text_is_reported() -> None:
    from bot.corpus.rst import read_rst

    text = ("Intro.\n\nStorage\n=======\n\nTrack intro.\n\nCeph talk\n---------\n\n"
            "Notes on ceph.\n\nDeep dive\n~~~~~~~~~\n\nCrush details.\n\n"
            "Swift talk\n----------\n\nSwift notes.\n")
    warnings: list[str] = []
    ceph, swift = read_rst(text, "s.rst", "s", warnings.append)
    assert [(p.heading, p.text) for p in ceph.passages] == [
        (None, "Notes on ceph."), ("Deep dive", "Crush details.")]
    assert (ceph.track, swift.title) == ("Storage", "Swift talk")
    assert warnings == [
        "line 1, before the track's title, is not part of any session and was not indexed",
        "line 6, under the track title “Storage”, before its first session, is not part of "
        "any session and was not indexed"]


def test_a_yaml_session_without_notes_is_reported() -> None:
    from bot.corpus.yamlnotes import read_yaml

    warnings: list[str] = []
    sessions = read_yaml("- title: A\n  notes: Some notes.\n- title: B\n  notes: ''\n", "y.yaml",
                         warnings.append)
    assert [s.title for s in sessions] == ["A"]
    assert warnings == ["session 2 (“B”) has no notes and was not indexed"]


def test_an_outline_whose_root_bullet_is_the_title() -> None:
    notes = ("* MSFT IT\n  * Panelist\n    * Bing: Jordan Edwards\n    * Azure: Mike Kippen\n"
             "  * Security on Azure\n    * tools bring git back\n")
    [talk] = read_markdown(notes, "Build-2017/Day3-MSFT-IT.md", "Day3-MSFT-IT")
    assert (talk.title, talk.speakers) == ("MSFT IT", ["Jordan Edwards", "Mike Kippen"])
    notes = "* Windows\n  * new features shipped\n* Office\n  * more\n"
    [talk] = read_markdown(notes, "Build-2017/Day2-Keynote.md", "Day2-Keynote")
    assert talk.title == "Day2 Keynote"  # a bullet over notes, not names, is no title


@pytest.mark.parametrize("line", ["x by " * 5000, '"' + "a by b " * 5000, "a - " * 5000,
                                  "[" * 5000 + "x](" * 5000, "(" * 10000])
def test_huge_hostile_title_lines_are_read_in_bounded_work(line: str) -> None:
    """Each of these took from a second to over a minute before the readers cut long lines
    (a credit was looked for after every "by"); now each is one short pass."""
    title, speakers = split_title(line)
    assert len(title) <= 300 and speakers == []
    assert people(line) == [] or len(people(line)) < 50
    [talk] = read_markdown(f"# {line}\n\nSome notes here.\n", "h.md", "h")
    assert len(talk.title) <= 300


EVENT_FILE = """# TinyConf 2031

## A. How small can a container image get?

* speaker: Wren Okafor
* start from a slim base image
* drop build tools from the final layer

## B. Queues that never lose a message

* speaker: Ilse Marchetti
* acknowledge only after the write is durable

## C. Reading a profiler's flame graph

* speakers: Ana Quill, Tomas Berg
* wide frames are where the time goes

# Things to look up later

* flame graphs
"""

EVENT_BY_DAYS = """# TinyConf 2032

Notes from two days in Lisbon.

## Day 1

### A. Keynote

- the maintainers of a library are far fewer than its users

### B. Thread pools inside thread pools

- speaker: Ilse Marchetti
- set the thread count once, at the outermost layer

## Day 2

### A. Keynote

- workflow engines that record where each file came from

### B. Retention policies for data teams

- speakers: Ana Quill, Tomas Berg
- what is not kept cannot be asked for
"""


def test_one_file_of_a_whole_event_is_split_into_its_talks() -> None:
    """One file per conference, a heading per talk ("## A. Title" over "* speaker: …"): each
    talk is a session under the event's name, not one session with every speaker."""
    talks = read_markdown(EVENT_FILE, "tinyconf-2031.md", "tinyconf-2031")
    assert [(t.title, t.speakers, t.summit) for t in talks] == [
        ("How small can a container image get?", ["Wren Okafor"], "TinyConf 2031"),
        ("Queues that never lose a message", ["Ilse Marchetti"], "TinyConf 2031"),
        ("Reading a profiler's flame graph", ["Ana Quill", "Tomas Berg"], "TinyConf 2031"),
        ("Things to look up later", [], "TinyConf 2031"),
    ]
    assert "durable" in talks[1].passages[-1].text


def test_an_event_file_by_days_splits_at_the_talks_and_keeps_days_apart() -> None:
    warnings: list[str] = []
    talks = read_markdown(EVENT_BY_DAYS, "tinyconf-2032.md", "tinyconf-2032",
                          warn=warnings.append)
    assert [t.title for t in talks] == [
        "Keynote (Day 1)", "Thread pools inside thread pools", "Keynote (Day 2)",
        "Retention policies for data teams"]
    assert talks[1].speakers == ["Ilse Marchetti"]
    # a talk ends at the next day's heading: day 2's keynote is not in day 1's last talk
    assert not any("workflow" in p.text for p in talks[1].passages)
    # the line under the event's heading belongs to no talk, and is reported (by line)
    assert len(warnings) == 1 and "line 3" in warnings[0]


def test_an_event_file_of_linked_titles_and_bylines_is_split() -> None:
    """"## [Title](talk page)" over "by [Name](profile)": each talk with its speaker and
    its page (a handle alone is no name)."""
    notes = ("# DevConf 2031\n\n"
             "## [Naming things](https://example.org/naming)\n\nby [Jane Roe](https://"
             "example.org/@jane)\n\n- rename early\n\n### Arguments\n\n- passed, not declared\n\n"
             "## [Caching without tears](https://example.org/caching)\n\nby Bo Chen\n\n"
             "- keys hold every input\n\n"
             "## [Accessible forms](https://example.org/forms)\n\nby [quietdev](https://"
             "example.org/@q)\n\n- labels beat placeholders\n")
    talks = read_markdown(notes, "2031-05-02-devconf.md", "2031-05-02-devconf")
    assert [(t.title, t.speakers, t.url, t.summit) for t in talks] == [
        ("Naming things", ["Jane Roe"], "https://example.org/naming", "DevConf 2031"),
        ("Caching without tears", ["Bo Chen"], "https://example.org/caching", "DevConf 2031"),
        ("Accessible forms", [], "https://example.org/forms", "DevConf 2031")]
    assert [p.text for p in talks[0].passages] == ["- rename early", "- passed, not declared"]


def test_a_day_heading_that_is_a_date_dates_its_talks() -> None:
    notes = ("# SciPy 2031\n\n## Wednesday, 19 April\n\n### A. Keynote\n\n* speaker: Ann Lee\n"
             "* arrays everywhere\n\n### B. Sparse things\n\n* speaker: Bo Chen\n* sparse "
             "matrices\n\n## Day 2\n\n### A. Keynote\n\n* speaker: Cy Dee\n* dataframes\n")
    talks = read_markdown(notes, "scipy.md", "scipy")
    assert [(t.title, t.date) for t in talks] == [
        ("Keynote (Wednesday, 19 April)", "Wednesday, 19 April"),
        ("Sparse things", "Wednesday, 19 April"), ("Keynote (Day 2)", None)]


def test_a_talk_with_a_year_in_its_title_and_sections_stays_one_session() -> None:
    notes = ("# Storage roadmap 2031\n\n## Block\n\n* quotas per volume\n\n## Object\n\n"
             "* lifecycle rules\n\n## File\n\n* snapshots\n")
    [talk] = read_markdown(notes, "roadmap.md", "roadmap")
    assert talk.title == "Storage roadmap 2031"


def test_an_event_file_whose_talks_open_with_a_bold_line_of_names_is_split() -> None:
    """The subtitle and date above the first talk are every talk's track and date."""
    notes = ("# Lakeside Immunology 2031 - Session 2\n\n**Human Immunology I**\n\n"
             "*Wednesday, 19 April*\n\n"
             "## Set points of the immune system\n\n**Jonas Tsang, Yale**\n\n"
             "Responses vary a lot between people.\n\n"
             "## Hormones and responses to stimulation\n\n**Rikard Forsberg, Karolinska**\n\n"
             "Sex differences matter in infectious disease.\n\n"
             "## A spatial atlas of the thymus\n\n**Veronika Kedler, Sanger**\n\n"
             "T cells develop in the thymus.\n")
    talks = read_markdown(notes, "lakeside_2031_session_2.md", "lakeside_2031_session_2")
    assert [(t.title, t.speakers) for t in talks] == [
        ("Set points of the immune system", ["Jonas Tsang"]),
        ("Hormones and responses to stimulation", ["Rikard Forsberg"]),
        ("A spatial atlas of the thymus", ["Veronika Kedler"])]
    assert {(t.summit, t.track, t.date) for t in talks} == {
        ("Lakeside Immunology 2031 - Session 2", "Human Immunology I", "Wednesday, 19 April")}


@pytest.mark.parametrize("line, title, speakers", [
    ("t-digest - Tom Dunmore - Acme Technologies", "t-digest", ["Tom Dunmore"]),
    ("Code Review - Amy Gebbart", "Code Review", ["Amy Gebbart"]),
    ("Keynote - Mark Shuttlesworth - Canonical", "Keynote", ["Mark Shuttlesworth"]),
    ("Sorting Algorithms | Jenny Schaffer (9am)", "Sorting Algorithms", ["Jenny Schaffer"]),
    ("Speed and Human Perception (10:35am)", "Speed and Human Perception", []),
    ("Running OpenStack on Bare Metal - Case Study - Packet.net",
     "Running OpenStack on Bare Metal - Case Study - Packet.net", []),
    ("Python - Django Tips", "Python - Django Tips", []),
    ("Chapter 1 - Grace Notes", "Chapter 1 - Grace Notes", []),
    ("keynote with Paul Irving (9:10am)", "Keynote", ["Paul Irving"]),
    ("Fun with Flags", "Fun with Flags", []),
    ("Keynote with Kubernetes", "Keynote with Kubernetes", []),
    ("Give It A Rest -- Anna Folke", "Give It A Rest", ["Anna Folke"]),
    ("Opening Keynote by Eva Yoon", "Opening Keynote", ["Eva Yoon"]),
    ("Thinking in Tables (Jim Shaw)", "Thinking in Tables", ["Jim Shaw"]),
    ("Why Queues Matter (Kent Berg, Three Rivers)", "Why Queues Matter", ["Kent Berg"]),
    ("Fantastic (SwiftUI) Frustrations", "Fantastic (SwiftUI) Frustrations", []),
    ("Scaling Kafka (Part 2)", "Scaling Kafka (Part 2)", []),
    ("Design it all - Carl Watts, VP of design at Acme, used to be a manager at Etsy",
     "Design it all", ["Carl Watts"]),
    # the speaker first, then the title
    ("Mel Kaufman - Applying SRE Principles to CI (Buildkite)",
     "Applying SRE Principles to CI (Buildkite)", ["Mel Kaufman"]),
    ("Steven Barker - Reflections on a Reluctant Revolution", "Reflections on a Reluctant "
     "Revolution", ["Steven Barker"]),
    # no known first name: not taken for a speaker
    ("Hiro Shiba - How do gems resolve?", "Hiro Shiba - How do gems resolve?", []),
    ("Hannah Shiba - How do gems resolve?", "How do gems resolve?", ["Hannah Shiba"]),
    # a person and her role, company or handle: not a title
    ("Jane Roe - VP Engineering, Acme", "Jane Roe - VP Engineering, Acme", []),
    ("Jane Roe - Bank of America", "Jane Roe - Bank of America", []),
    ("Clara Cole - arch, k8s + openshift, Redhat", "Clara Cole - arch, k8s + openshift, "
     "Redhat", []),
    ("Ian Mills - @imills - 4 Feb 2031", "Ian Mills - @imills - 4 Feb 2031", []),
    ("Grace Harper - A Retrospective", "Grace Harper - A Retrospective", []),
])
def test_a_speaker_set_apart_by_a_dash_or_bar_is_read_from_the_title(
        line: str, title: str, speakers: list[str]) -> None:
    """A full name with a known first name after " - " or " | " (and perhaps a company
    after it); a talk's slot "(9am)" is no part of its title."""
    assert split_title(line) == (title, speakers)


def test_an_event_without_a_year_splits_when_its_talks_name_their_speakers() -> None:
    """"# Web Night" (no year) over talks with bylines, a name line, or the name in the
    heading; names after a dash need no known first name there; "Things to Google" is the
    note-taker's, and its bullets are not people."""
    notes = ("# Web Night\n\n"
             "## [Naming things](https://example.org/naming)\n\nby [hanna stiebler](https://"
             "example.org/hs)\n\n- rename early\n\n"
             "## Caching without tears\n\nGary Pendleton\n\n- keys hold every input\n\n"
             "## Accessible forms - Rizèl Scarpetta\n\n- Cloudflare's Durable Objects - "
             "https://example.org/do\n- labels beat placeholders\n\n"
             "## Things to Google\n\n- Argos catalogs\n- tracer bullets\n")
    talks = read_markdown(notes, "web-night-2031-03-04.md", "web-night-2031-03-04")
    assert [(t.title, t.speakers, t.summit) for t in talks] == [
        ("Naming things", ["hanna stiebler"], "Web Night"),
        ("Caching without tears", ["Gary Pendleton"], "Web Night"),
        ("Accessible forms", ["Rizèl Scarpetta"], "Web Night"),
        ("Things to Google", [], "Web Night")]


def test_a_section_list_under_a_yearless_title_stays_one_talk() -> None:
    notes = ("# Caching without tears\n\n## Keys\n\n- hold every input\n\n## TTLs\n\n"
             "- hide bugs\n\n## Invalidation\n\n- versioned keys\n")
    [talk] = read_markdown(notes, "caching.md", "caching")
    assert talk.title == "Caching without tears" and len(talk.passages) == 3


def test_a_panel_heading_is_its_title_and_a_plain_lowercase_byline_names_no_one() -> None:
    [panel] = read_markdown("# Panel: Animations\n\n200ms is a good length.\n", "p.md", "p")
    assert panel.title == "Panel: Animations" and panel.speakers == []
    [talk] = read_markdown("# Dart\n\nby stefan hubert\n\nTypes help.\n", "d.md", "d")
    assert talk.speakers == []


def test_talks_set_as_lettered_bold_lines_under_days_are_split() -> None:
    """"**A. Title**" standing alone, as headings would; the day headings above them are
    days, not talks, though a speaker line follows them; a bold line inside code stays."""
    notes = ("# DataFest 2031\n\nNov 1-3\n\n## Day 1\n\n**A. Streaming tables**\n\n"
             "- speaker: Pete Godwin, CEO, Acme\n- tables update over websockets\n\n"
             "**B. One line of ML**\n\n- speaker: Dana Lenz\n- a transpiler\n\n"
             "```\n**C. not a talk**\n```\n\n## Day 2\n\n**A. Responsible AI**\n\n"
             "- speaker: Kay Firth , Head of AI & Machine Learning | Acme\n- rules first\n")
    talks = read_markdown(notes, "datafest.md", "datafest")
    assert [(t.title, t.speakers) for t in talks] == [
        ("Streaming tables", ["Pete Godwin"]), ("One line of ML", ["Dana Lenz"]),
        ("Responsible AI", ["Kay Firth"])]
    assert "**C. not a talk**" in talks[1].passages[-1].text


def test_numbered_bold_steps_of_one_workshop_stay_one_session() -> None:
    notes = ("# Kubernetes workshop 2031\n\n**1. Install the tools**\n\n- kind, kubectl\n\n"
             "**2. Build the image**\n\n- docker build\n\n**3. Deploy**\n\n- kubectl apply\n")
    [talk] = read_markdown(notes, "workshop.md", "workshop")
    assert talk.title == "Kubernetes workshop 2031"


def test_a_day_of_talks_headed_speaker_first_is_split_into_its_talks() -> None:
    """One H1 per talk, each opening with its speaker: talks, not a keynote's list of
    people; a names line under a title still names its speaker."""
    notes = ("# Mel Kaufman - Applying SRE Principles to CI\n\n- flaky tests are outages\n\n"
             "# How Music Works (Soundco)\n\n- samples and loops\n\n"
             "# Jemma Isaacs - Implementing Object Shapes in CRuby\n\n- shapes cut lookups\n")
    talks = read_markdown(notes, "day-1.md", "day-1")
    assert [(t.title, t.speakers) for t in talks] == [
        ("Applying SRE Principles to CI", ["Mel Kaufman"]),
        ("How Music Works (Soundco)", []),
        ("Implementing Object Shapes in CRuby", ["Jemma Isaacs"])]
    [keynote] = read_markdown("# Keynote\n\n## Jane Roe - VP Engineering, Acme\n\n"
                              "- growth\n\n## John Doe, CTO\n\n- scale\n", "k.md", "k")
    assert keynote.title == "Keynote" and keynote.speakers == ["Jane Roe", "John Doe"]


def test_an_event_whose_talk_headings_end_with_speaker_and_role_is_split() -> None:
    notes = ("# Web Days 2031 - Day One\n\n"
             "### Design it all - Carl Watts, VP of design at Acme, used to be at Etsy\n\n"
             "- design is a team sport\n\n"
             "### Motion for the web - Courtney Hale, Partner at Acme\n\n- ease out\n\n"
             "### Checklists for developers - Jeremy Nagle\n\n- pilots use them\n")
    talks = read_markdown(notes, "web-days-1.md", "web-days-1")
    assert [(t.title, t.speakers) for t in talks] == [
        ("Design it all", ["Carl Watts"]), ("Motion for the web", ["Courtney Hale"]),
        ("Checklists for developers", ["Jeremy Nagle"])]


def test_numbered_talks_under_a_session_heading_are_split_without_their_numbers() -> None:
    notes = ("# Imaging Track\n\n## Talk 1 - Brighter Probes\n\n- probes glow longer\n\n"
             "## Talk 2. Tissue Maps\n\n- maps of the placenta\n")
    talks = read_markdown(notes, "imaging.md", "imaging")
    assert [(t.title, t.summit) for t in talks] == [
        ("Brighter Probes", "Imaging Track"), ("Tissue Maps", "Imaging Track")]


def _long_talk(title: str, subject: str) -> str:
    return f"## {title}\n\n" + "".join(f"- {subject} point {n}\n" for n in range(35)) + "\n"


def test_an_event_page_of_long_unlabelled_talks_is_split() -> None:
    """"# Devcon 2031 Notes" over talks that name no speaker: each talk's notes have parts
    of their own or are long. A page that opens with a paragraph, or whose heading names
    one workshop, is one session in parts."""
    talks_md = (_long_talk("What is new in Swift", "swift")
                + "## Meet the docs compiler\n\n- docs\n\n### Tutorials\n\n- steps\n\n"
                + _long_talk("Async in practice", "async"))
    talks = read_markdown("# Devcon 2031 Notes\n\n" + talks_md, "devcon.md", "devcon")
    assert [t.title for t in talks] == [
        "What is new in Swift", "Meet the docs compiler", "Async in practice"]
    [one] = read_markdown("# Devcon 2031 Workshop - Notes\n\n" + talks_md, "ws.md", "ws")
    assert one.title == "Devcon 2031 Workshop - Notes"
    [update] = read_markdown("# 2031 roadmap update\n\nJaice and Ihor went through the plan"
                             " for the year.\n\nEach part had its owner.\n\nSlides are "
                             "linked.\n\n" + talks_md, "roadmap.md", "roadmap")
    assert update.title == "2031 roadmap update"


def test_a_label_and_what_it_says_is_no_line_of_names() -> None:
    assert names_line("**RAG Application:** Use Databricks to build an app", strict=False) == []
    assert names_line("**Copilot Shiny:**", strict=False) == []
    assert names_line("Jane Roe, Acme", strict=False) == ["Jane Roe"]


def test_a_file_named_after_its_talk_and_speaker_gives_both() -> None:
    """Notes with no title of their own ("Keynote by Eva Yoon.md", "Props in Vue 3 - Alan
    Rivers.md"): the file name's title and speaker; its dash stays a dash."""
    [keynote] = read_markdown("- reactivity first\n", "Keynote by Eva Yoon.md",
                              "Keynote by Eva Yoon")
    assert (keynote.title, keynote.speakers) == ("Keynote", ["Eva Yoon"])
    [props] = read_markdown("- defineProps\n", "x.md", "20 Ways to Define Props in Vue 3 - "
                            "Alan Rivers")
    assert (props.title, props.speakers) == ("20 Ways to Define Props in Vue 3", ["Alan Rivers"])
    [other] = read_markdown("- cost\n", "x.md", "AI Reviewers - Zorvath Fernan")
    assert (other.title, other.speakers) == ("AI Reviewers - Zorvath Fernan", [])


def test_doctors_and_initials_name_speakers_and_a_talk_without_notes_keeps_its_speaker() -> None:
    """"**Dr. Han Wen, Beckman**" and "Kent C. Dods" are names, not sentences; a talk listed
    with its speaker and no notes is still there to say who gave it."""
    notes = ("# Omics Day 2031\n\n## Talk 1 - Automated Workflows\n\n**Dr. Han Wen, Beckman**"
             "\n\n- robots pipette\n\n## Talk 2 - Single Cell Made Simple\n\n"
             "**Dr. Robert Melt, Fluent Bio**\n\n## Talk 3 - Testing Rust\n\nKent C. Dods\n\n"
             "- cargo test\n")
    talks = read_markdown(notes, "omics.md", "omics")
    assert [(t.title, t.speakers) for t in talks] == [
        ("Automated Workflows", ["Han Wen"]), ("Single Cell Made Simple", ["Robert Melt"]),
        ("Testing Rust", ["Kent C. Dods"])]
    assert [p.text for p in talks[1].passages] == ["Dr. Robert Melt, Fluent Bio"]
    assert names_line("I went. It was good", strict=False) == []


def test_talks_under_a_keynote_heading_are_talks_of_their_own() -> None:
    notes = ("# OpenConf EU - Day 1\n## Keynote\n### Evolving architecture\n**Rebecca Parsons "
             "(Thoughtful)**\n\n- fitness functions\n### The Seif Project\n**Doug Crockett**\n\n"
             "- crypto for node\n## Architecture as code\n\n**Simon Browne**\n\n- C4 model\n"
             "## Chaos patterns\n\n**Jos Bowman**\n\n- fail often\n"
             "## Microservices with Go\n\n**Baron Schwarz**\n\n- small binaries\n")
    talks = read_markdown(notes, "day1.md", "day1")
    assert [(t.title, t.speakers, t.track) for t in talks] == [
        ("Evolving architecture", ["Rebecca Parsons"], "Keynote"),
        ("The Seif Project", ["Doug Crockett"], "Keynote"),
        ("Architecture as code", ["Simon Browne"], None),
        ("Chaos patterns", ["Jos Bowman"], None),
        ("Microservices with Go", ["Baron Schwarz"], None)]


def test_a_programme_of_plain_title_lines_is_split_into_its_talks() -> None:
    """"Title - Name, role at Co" lines standing alone under a day's heading are its talks;
    once three name a speaker with a known first name, any name will do; the role after
    a name is no second speaker, but "… & Glen Madden, …" is."""
    notes = ("## Code 2031 - Day Two\n\nThe State of Testing - Alicia Sedley, Developer at "
             "Grownups\n\nTwitter - @alicia\n\nWhy test at all...\n\n-\nTaking Back Control - "
             "Yoaz Weissler, Web performance and browser internals at Akami\n\nThird parties.\n\n"
             "Designing for performance - Josh Dunn, Engineer at Facebook\n\nFlexbox.\n\n"
             "Styling components - Mark Dalby, Dev at Seek & Glen Madden, Consultant\n\nCSS.\n")
    talks = read_markdown(notes, "code-2.md", "code-2")
    assert [(t.title, t.speakers) for t in talks] == [
        ("The State of Testing", ["Alicia Sedley"]),
        ("Taking Back Control", ["Yoaz Weissler"]),
        ("Designing for performance", ["Josh Dunn"]),
        ("Styling components", ["Mark Dalby", "Glen Madden"])]


def test_a_lightning_talks_outline_is_split_at_its_top_bullets() -> None:
    """A file of lightning talks written as one outline: each top-level bullet with notes
    under it is a talk ("Title - Name", "Title - Subtitle - Name"), in the track
    "Lightning talks"; one talk whose title looks like a name does not make the others
    one keynote's speakers."""
    notes = ("- Using DevTools well - Felipe Florez\n\t- the debugger keyword\n"
             "- Claude Code Mission Control - Marco Ledes\n\t- agents in tabs\n"
             "- Component Analyzer - a VSCode extension - Marco Arrudo\n\t- graphs of parts\n"
             "- Side Projects\n\t- finish them\n")
    talks = read_markdown(notes, "Lightning Talks.md", "Lightning Talks")
    assert [(t.title, t.speakers, t.track) for t in talks] == [
        ("Using DevTools well", ["Felipe Florez"], "Lightning talks"),
        ("Claude Code Mission Control", ["Marco Ledes"], "Lightning talks"),
        ("Component Analyzer - a VSCode extension", ["Marco Arrudo"], "Lightning talks"),
        ("Side Projects", [], "Lightning talks")]
    [one] = read_markdown(notes, "vueconf.md", "vueconf")  # not named as lightning talks
    assert one.title == "Vueconf"


def test_talk_headings_credited_by_name_split_a_day_with_no_heading_above() -> None:
    """"### Synergy by Zak Tedder" (no H1 or H2 in the file): what follows "by" is people
    when the first has a known first name; "by Subverting Stylometry" names no one."""
    notes = ("### Synergy: teams that work by Zak Tedman\n\n* conflict theory\n\n"
             "### GPUs in the database by Montana Lowe\n\n* instacart\n\n"
             "### Troubleshooting by use case by Wanda Hu and Thuymy Tranh\n\n* pg_stat\n")
    talks = read_markdown(notes, "day1.md", "day1")
    assert [(t.title, t.speakers) for t in talks] == [
        ("Synergy: teams that work", ["Zak Tedman"]),
        ("GPUs in the database", ["Montana Lowe"]),
        ("Troubleshooting by use case", ["Wanda Hu", "Thuymy Tranh"])]
    assert split_title("Preserving Anonymity by Subverting Stylometry")[1] == []
    assert split_title("Scale tests by China Mobile")[1] == []


def test_a_lightning_talks_page_of_tight_headings_is_split() -> None:
    """"###Scrape" is a heading as notes write it (no space); on a page of lightning talks
    each top heading is a talk, though none names a speaker."""
    notes = ("title: Lightning Talks 4-12\n\n###NYC Subway Challenge\n\n* ride every line\n\n"
             "###Scrape\n\n* interactive scraping\n\n```\n###not a heading\n```\n")
    talks = read_markdown(notes, "lightning-talks-4-12.md", "lightning-talks-4-12")
    assert [(t.title, t.track) for t in talks] == [
        ("NYC Subway Challenge", "Lightning talks"), ("Scrape", "Lightning talks")]
    assert "###not a heading" in talks[1].passages[-1].text


def test_a_file_named_for_its_slot_title_and_speaker_beats_a_first_note_line() -> None:
    [talk] = read_markdown("What is good code\n- Maintainable\n- Testable\n", "x.md",
                           "Day 1 - 01 - Level up your Swift - Paul Hudd")
    assert (talk.title, talk.speakers) == ("Level up your Swift", ["Paul Hudd"])
    [named] = read_markdown("# Tom Eastwood\n\n* Learning\n\t* recall\n", "x.md",
                            "09_Tom_Eastwood")
    assert (named.title, named.speakers) == ("Tom Eastwood", ["Tom Eastwood"])
    [awards] = read_markdown("# Ruby Hero Awards\n\n* six winners\n", "x.md", "ruby-hero-awards")
    assert awards.speakers == []


def test_a_date_before_the_title_or_in_the_talks_slot_line_dates_it() -> None:
    [day] = read_markdown("# 2031/11/11 Data Science Day 1\n\n- keynote on graphs\n", "d.md", "d")
    assert (day.title, day.date) == ("Data Science Day 1", "2031-11-11")
    [meetup] = read_markdown("# 20310309 Line developer meetup\n\n- bots\n", "m.md", "m")
    assert (meetup.title, meetup.date) == ("Line developer meetup", "2031-03-09")
    [talk] = read_markdown("---\ntitle: From Thanos to Mimir\n---\n\n# From Thanos to Mimir\n\n"
                           "> Mike Hsu, OpenNet\n\n> 2031-04-23 15:35 - 16:15 @ Hall 10F\n\n"
                           "Kafka buffers writes.\n", "t.md", "t")
    assert talk.date == "2031-04-23"
    [kept] = read_markdown("# 2031 roadmap review\n\n- goals\n", "r.md", "r")
    assert (kept.title, kept.date) == ("2031 roadmap review", None)


def test_a_presenters_label_over_a_list_of_them_names_them_all() -> None:
    notes = ("# Getting Uncomfortable\n\nPresenters:\n- Ms. Lilly Ramos\n- Maria Cunning\n"
             "- Jesse Silvas\n\n- Starting with a quiz\n- Hashtag #ally\n")
    [talk] = read_markdown(notes, "x.md", "x")
    assert talk.speakers == ["Lilly Ramos", "Maria Cunning", "Jesse Silvas"]
    assert talk.passages[0].text.startswith("- Starting with a quiz")


def test_talks_one_level_below_a_keynote_heading_with_bold_speakers_split() -> None:
    notes = ("### Keynote Speaker\n\nWelcome words.\n\n#### Melanie Hibbs\n\n- learning design\n\n"
             "#### We built our own library system\n\n**Todd Digbee**\n\n- was it a mistake?\n\n"
             "#### Research services at UVic\n\n**Matthew Hucul**\n**Rich McCue**\n\n- maps\n\n"
             "#### Planning from past tickets\n\n**Jessica Lang**\n\n- triage\n")
    talks = read_markdown(notes, "21_am_notes.md", "21_am_notes")
    assert [(t.title, t.speakers) for t in talks] == [
        ("Melanie Hibbs", ["Melanie Hibbs"]),
        ("We built our own library system", ["Todd Digbee"]),
        ("Research services at UVic", ["Matthew Hucul", "Rich McCue"]),
        ("Planning from past tickets", ["Jessica Lang"])]


def test_initials_under_a_speaker_label_name_the_speaker() -> None:
    [talk] = read_markdown("# Monday Keynote\n\n## Speaker: DHH\n\nRails is omakase.\n",
                           "k.md", "k")
    assert talk.speakers == ["DHH"] and [p.text for p in talk.passages] == ["Rails is omakase."]
    [tbd] = read_markdown("# Closing\n\nSpeakers: TBD\n\nThanks all.\n", "c.md", "c")
    assert tbd.speakers == []


@pytest.mark.parametrize("line, title, speakers", [
    ("11:00 Alvar Lumberg - Scaling autonomy in a fintech unicorn",
     "Scaling autonomy in a fintech unicorn", ["Alvar Lumberg"]),
    ("11:35 - A beginner's guide to eBPF", "A beginner's guide to eBPF", []),
    ("2:30pm - 3:15pm Caching at Scale - Ann Lee", "Caching at Scale", ["Ann Lee"]),
    ("99.99 success is too small", "99.99 success is too small", []),
    ("Keynote: Chris McCord", "Keynote", ["Chris McCord"]),
    ("Keynote: The Future of Rails", "Keynote: The Future of Rails", []),
    ("Vector Search - A gentle introduction", "Vector Search - A gentle introduction", []),
    ("Session:  Node.js at Uber - Tom Crocker, Uber", "Node.js at Uber", ["Tom Crocker"]),
    ("Session Types in Rust", "Session Types in Rust", []),
])
def test_a_programme_s_time_slot_is_no_part_of_a_title(
        line: str, title: str, speakers: list[str]) -> None:
    assert split_title(line) == (title, speakers)


def test_lightning_talks_under_their_group_or_page_heading_are_talks() -> None:
    notes = ("# React Conf 2031\n\n## Today and Tomorrow - Sophie Alpert\n\n- hooks\n\n"
             "## Cleaner React - Ryan Florence\n\n- less code\n\n## Animated futures - Matt "
             "Perry\n\n- springs\n\n## ⚡️ Talks\n\n#### What's new in create-react-app\n\n"
             "- version two\n\n#### Better Living Through Git Hooks\n\n- husky\n")
    talks = read_markdown(notes, "react.md", "react")
    assert [(t.title, t.track) for t in talks][-2:] == [
        ("What's new in create-react-app", "⚡️ Talks"),
        ("Better Living Through Git Hooks", "⚡️ Talks")]
    page = read_markdown("# Lightining Talks\n\n#### Heap dumps as graphs\n\n* neo4j\n\n"
                         "#### Future archeologists\n\n* Ivan Moore (@ivanrmoore)\n* bundle code\n",
                         "x.md", "x")
    assert [(t.title, t.speakers, t.track) for t in page] == [
        ("Heap dumps as graphs", [], "Lightning talks"),
        ("Future archeologists", ["Ivan Moore"], "Lightning talks")]


def test_a_file_whose_only_heading_is_an_h4_takes_it_as_its_title() -> None:
    [talk] = read_markdown("#### Heap dumps as graphs\n\n* Nat Prycer (@np) and Giovanni "
                           "Aspro (@ga)\n* neo4j finds leaks\n", "x.md", "x")
    assert (talk.title, talk.speakers) == (
        "Heap dumps as graphs", ["Nat Prycer", "Giovanni Aspro"])


def test_a_talk_s_notes_above_its_first_h1_make_the_h1s_its_parts() -> None:
    notes = ("#7fights\n@wiredferret\n\nThe Seven Righteous Fights\n(you should be arguing)\n\n"
             "We all have ruts in our programming\n\n# Security\n\n* threat models\n\n"
             "# Documentation\n\n* write it first\n")
    [talk] = read_markdown(notes, "x.md", "the-seven-righteous-fights")
    assert talk.title == "The seven righteous fights"
    assert [p.heading for p in talk.passages] == [None, "Security", "Documentation"]
    two = read_markdown("# Security\n\n* threat models\n\n# Documentation\n\n* write it first\n",
                        "y.md", "y")
    assert [t.title for t in two] == ["Security", "Documentation"]


def test_round_five_regressions_stay_fixed() -> None:
    """Found by the second held-out sample: a bare "- Host" in a list of words labelled
    nine words as speakers; "__Speaker__:" was not read; "US Rowing" is no person; a file of
    H5 parts took its first part as its title; "- [Site](url)" under "- Speaker" is a link."""
    notes = ("# Guaranteed Design\n\n__Speaker__: [Noah Ilinsky](http://x.example/), UX "
             "Architect at AWS\n\n- __Function (What)__\n  - Search\n  - Host\n  - Mobile\n"
             "  - App\n  - Button\n")
    [talk] = read_markdown(notes, "x.md", "Day3-Talk06")
    assert talk.speakers == ["Noah Ilinsky"]
    assert "Mobile" in talk.passages[0].text
    [rowing] = read_markdown("# US Rowing\n\n- data on every stroke\n", "u.md", "usrowing")
    assert (rowing.title, rowing.speakers) == ("US Rowing", [])
    [router] = read_markdown("##### What is a router?\nIt coordinates loading.\n\n"
                             "##### How Routes are Defined\nBy a decorator.\n", "a.md",
                             "angular-2-router")
    assert router.title == "Angular 2 router"
    [css] = read_markdown("## TALK - CSS for Backend Developers\n\n- Speaker\n    - [@viv](https:"
                          "//x.example/viv)\n    - [Site](https://viv.example)\n\n- cascade\n",
                          "l.md", "l")
    assert (css.title, css.speakers) == ("CSS for Backend Developers", [])
    [koutnik] = read_markdown("# Neural Networks\n\nSpeaker\n- [Randall Kout](https://x.example/"
                              "rk), Senior Engineer, Netflix\n\n## Layers\n- weights\n",
                              "n.md", "n")
    assert koutnik.speakers == ["Randall Kout"]


def test_talks_under_an_event_and_its_dated_day_are_split() -> None:
    notes = ("# Frozenrails\n\n## 2031-09-19\n\n### *What is a developer?* - [Jeff Casimer]"
             "(https://x.example/j3), [Jumpstart Lab](https://x.example/)\n\n#### Topics\n\n"
             "* monoculture\n\n### *Mind your metaphors* - [Amanda Wagner](https://x.example/aw)"
             "\n\n#### Topics\n\n* metaphors shape code\n\n### *ZeroMQ sockets* - [Lourens Nau]"
             "(https://x.example/ln)\n\n* scriptable\n")
    talks = read_markdown(notes, "2031.md", "2031")
    assert [(t.title, t.speakers, t.date, t.summit) for t in talks] == [
        ("What is a developer?", ["Jeff Casimer"], "2031-09-19", "Frozenrails"),
        ("Mind your metaphors", ["Amanda Wagner"], "2031-09-19", "Frozenrails"),
        ("ZeroMQ sockets", ["Lourens Nau"], "2031-09-19", "Frozenrails")]


def test_talks_headed_with_room_and_time_and_quoted_speakers_are_split() -> None:
    """FOSDEM-style "### Title (K.3.601 11:40 - 12:10)" headings are talks (the slot is no
    part of the title); "> Rod Sotto" under a talk's title names its speaker."""
    notes = ("# Devroom Day 2031\n\n## Saturday\n\n### f8 - an architecture for small systems "
             "(K.3.601 11:40 - 12:10)\n\n- tiny vm\n\n### Algol 68 on baremetal (UD6.215 12:35 - "
             "13:00)\n\n- old is new\n\n## Sunday\n\n### Rust on the ESP32 (UD2.120 09:30 - "
             "09:55)\n\n- no_std\n")
    talks = read_markdown(notes, "fosdem.md", "fosdem")
    assert [t.title for t in talks] == [
        "f8 - an architecture for small systems", "Algol 68 on baremetal", "Rust on the ESP32"]
    quoted = read_markdown("# Con 2031\n\n## Day 1\n\n### OSQuery\n> Sebastian Provo @st\n\n"
                           "* sql over the OS\n\n### Medical Devices Panel\n> Stephanie Domas\n"
                           "> Kimberly Price\n\n* patching\n\n### KubeGoat\n> Rod Sotto\n\n"
                           "* vulnerable cluster\n", "c.md", "c")
    assert [(t.title, t.speakers) for t in quoted] == [
        ("OSQuery", ["Sebastian Provo"]), ("Medical Devices Panel", ["Stephanie Domas",
                                                                   "Kimberly Price"]),
        ("KubeGoat", ["Rod Sotto"])]
