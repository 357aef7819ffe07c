"""Speaker names as a schedule prints them, out of the many ways notes write them.

Notes write a speaker as "Andrew Godwin, Django Core Developer, Eventbrite",
"[Trey Hunner](https://twitter.com/treyhunner)", "Louis Ryan @ Google", "Dr. Jane Roe",
"Chris Mullins (sr dir, bot framework)" or just a handle. :func:`people` keeps the names and
drops roles, companies, handles and markup.

How sure we must be depends on where the text stands. After a label ("Presenter:", "by",
a bold name in a speaker bullet) any well-formed name is taken (``strict=False``). Where
nothing says a line names people (a bullet at the top of the notes, a heading under the
title), a name must also start with a known first name (``strict=True``), so that
"Pixar Philosophy" or "Intuit Proconnect" stay notes; the first names are those that
Faker (MIT) carries for its many locales.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

# Longer texts are cut before they are read: no list of speakers is longer, and it bounds
# the work on hostile notes.
MAX_NAME_TEXT = 200
MAX_LIST_TEXT = 600
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_RST_LINK = re.compile(r"`([^`<]*?)\s*<[^>]*>`_+")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s)]+")
_HANDLE = re.compile(r"\(\s*@[\w.-]+\s*\)|(?<![\w.])@[\w.-]+|\b[\w.-]+@(?![\w-]+\.)")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_PARENS = re.compile(r"\s*\([^()]*\)|\s*\[[^\[\]]*\]")
_MARKUP = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)|`+|\\(?=[_*`\[\]()#])")
_HONORIFIC = re.compile(r"(?:^|(?<=\s))(?:dr|prof|mr|mrs|ms|miss|sir|m\.?sc|ph\.?d)\.?(?:\s+|$)",
                        re.IGNORECASE)
_AFFILIATION = re.compile(r"\s+(?:-|–|—|@|\||/|of|from|at|with)\s+.*$|\s*[,:;].*$")
LIST_SPLIT = re.compile(r"\s*(?:;|\s\+\s|\s&\s|\s&amp;\s|\band\b|\n)\s*", re.IGNORECASE)

_PARTICLES = {"de", "da", "del", "della", "di", "do", "dos", "das", "du", "van", "von",
              "der", "den", "la", "le", "bin", "al", "el", "y", "ten", "ter", "zu", "st."}
# Words that mark a role, a company or a section, never part of a person's name.
_NOT_NAME_WORDS = {
    # roles
    "engineer", "eng", "developer", "dev", "director", "dir", "manager", "mgr", "ceo", "cto",
    "cfo", "coo", "cio", "founder", "cofounder", "co-founder", "evangelist", "architect",
    "arch", "president", "vp", "head", "chief", "senior", "sr", "sr.", "staff", "principal",
    "advocate", "consultant", "scientist", "researcher", "professor", "student",
    "maintainer", "contributor", "member", "team", "product", "program", "exec",
    "executive", "officer", "fellow", "intern", "analyst", "pm", "lead", "leads", "owner",
    "core", "technical", "tech", "strategist", "specialist", "editor", "author", "host",
    "moderator", "panelist", "panelists", "speaker", "speakers", "presenter", "presenters",
    "organizer", "organiser", "facilitator", "note", "notes", "taker", "takers", "chair",
    "ptl", "sig", "gm", "emeritus",
    # organisations
    "inc", "inc.", "corp", "corp.", "corporation", "llc", "ltd", "gmbh", "labs", "lab",
    "foundation", "university", "institute", "international", "group", "systems",
    "networks", "technologies", "technology", "software", "solutions", "cloud", "research",
    "google", "microsoft", "ibm", "intel", "cisco", "amazon", "aws", "azure", "docker",
    "mirantis", "rackspace", "hat", "vmware", "huawei", "ericsson", "nokia", "netflix",
    "kubernetes", "openstack", "cncf", "linux", "oracle", "samsung", "canonical", "suse",
    "hpe", "hp", "dell", "emc", "netapp", "juniper", "yahoo", "facebook", "github",
    "company", "community", "project", "services", "service", "data", "media", "news",
    "games", "studio", "studios", "entertainment", "interactive", "clinic", "hospital",
    "college", "school", "academy", "center", "centre", "medical", "health", "bank",
    "bio", "biosciences", "bioscience", "biopharma", "pharma", "therapeutics", "genomics",
    "mobile", "telecom", "telekom", "china", "award", "awards", "hero", "heroes",
    "celebration", "summit", "conference", "meetup",
    # a speaker's links ("- [Site](https://…)" under "- Speaker")
    "site", "website", "blog", "homepage", "twitter", "linkedin", "mastodon", "portfolio",
    # verbs that open talks' titles ("Using Jupyter", "Building Pipelines")
    "using", "building", "making", "getting", "running", "scaling", "testing", "writing",
    "deploying", "managing", "designing", "introducing", "understanding", "exploring",
    # not people
    "none", "tbd", "n/a", "null", "unknown", "anonymous", "various", "all", "everyone",
    "the", "a", "an", "our", "my", "your", "this", "that", "who", "what", "why", "how",
    "when", "where", "is", "are", "was", "were", "to", "for", "in", "on", "it", "we",
    "not", "no", "yes", "q&a", "demo", "intro", "introduction", "overview", "details",
    "detail", "summary", "agenda", "background", "ideas", "philosophy", "keynote",
    "keynotes", "session", "sessions", "talk", "panel", "workshop", "update", "updates",
    "slides", "video", "questions", "discussion", "welcome", "thanks", "thank", "day", "by",
    # what talks are called ("Case Study", "Deep Dive", "Lightning Talks")
    "case", "study", "studies", "review", "lessons", "learned", "deep", "dive", "lightning",
    "tutorial", "training", "opening", "closing", "lunch", "break", "breakfast", "part",
    "tips", "guide", "story", "roadmap", "retrospective", "unconference",
    # fields ("Head of AI & Machine Learning")
    "learning", "intelligence", "science", "engineering", "ai", "ml", "analytics",
}
_FIRST_NAME_LISTS = ("first_names", "first_names_male", "first_names_female",
                     "first_names_nonbinary", "first_romanized_names",
                     "first_romanized_names_male", "first_romanized_names_female")
_POSSESSIVE = ("'s", "’s")  # "Cloudflare's Durable Objects" names a thing, not a person
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.\-]*$")


@cache
def first_names() -> frozenset[str]:
    """Known first names, lower case: those Faker's person providers carry for all of
    their locales (about 30,000; romanised where a locale has them)."""
    import faker.providers.person as person_providers

    names: set[str] = set()
    for module in pkgutil.iter_modules(person_providers.__path__):
        provider = getattr(importlib.import_module(f"{person_providers.__name__}."
                                                   f"{module.name}"), "Provider", None)
        for attribute in _FIRST_NAME_LISTS:
            found = next((vars(cls)[attribute] for cls in getattr(provider, "__mro__", ())
                          if attribute in vars(cls)), ())
            if isinstance(found, list | tuple | dict | set | frozenset):
                names.update(n.lower() for n in found if isinstance(n, str))
    return frozenset(names)


def strip_markup(text: str) -> str:
    """Link text for links, no emphasis, no URLs; spaces collapsed."""
    text = _LINK.sub(r"\1", text)
    text = _RST_LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = re.sub(r"[(\[]\s*[)\]]", " ", text)  # "Overview(https://…)": the brackets it left
    text = _MARKUP.sub("", text)
    return " ".join(text.split())


def person_name(text: str, *, strict: bool = False, allow_single: bool = False,
                lowercase: bool = False) -> str | None:
    """The person's name in ``text`` ("Dr. Jane Roe, Acme" -> "Jane Roe"), or None.

    ``allow_single``: a single word may be a name ("by Glyph", "Presenters: Jaice, Ihor").
    ``strict``: the first word must be a known first name.
    ``lowercase``: a name may be all in lower case ("arkady kanevsky", set in bold as a
    speaker); otherwise at most one word may be ("John gossman", not "Standing room only").
    """
    text = strip_markup(text[:MAX_NAME_TEXT])
    if _EMAIL.search(text):
        return None
    text = _HANDLE.sub(" ", text)
    text = _PARENS.sub("", text)
    text = re.sub(r"\s*[(\[].*$", "", text)  # an unclosed bracket: a role or bio follows
    text = " ".join(text.split()).strip(" -–—:;,.\"'“”")
    text = _AFFILIATION.sub("", text).strip(" -–—:;,\"'“”")
    words = _HONORIFIC.sub(" ", text).split()
    if not words or len(words) > 5 or (len(words) == 1 and not allow_single):
        return None
    for n, word in enumerate(words):
        low = word.lower().strip(".")
        if n > 0 and low in ("the", "of") and n < len(words) - 1:
            continue  # "Ben the Elder"
        if n < len(words) - 1 and re.fullmatch(r"[A-Z]\.?", word):
            continue  # an initial: "Walter A. Boring IV"
        if low in _NOT_NAME_WORDS or not _NAME_WORD.match(word) or low.endswith(_POSSESSIVE):
            return None
    significant = [w for w in words if w.lower() not in _PARTICLES]
    if not significant:
        return None
    lower = sum(1 for w in significant if not w[0].isupper())
    if lower and (len(words) == 1 or strict or (lower > 1 and not lowercase)):
        return None  # a handle such as "errordeveloper", or words that are not a name
    if len(words) == 1 and ((word.isupper() and len(word) > 1) or not word[0].isupper()):
        return None  # "HBO", "lavalamp"
    if strict and (any(not w[0].isupper() for w in significant)
                   or len(words[0].strip(".")) < 2
                   or words[0].lower().strip(".") not in first_names()):
        return None
    return " ".join(words)


def people(text: str, *, strict: bool = False, allow_single: bool = False) -> list[str]:
    """Every person named in a list such as "A, Acme & B and C (role, team)".

    A comma may separate two names or a name from its role and company: a part after a
    comma counts only when it reads as a full name by itself, with no role or company word.
    """
    text = strip_markup(text[:MAX_LIST_TEXT])
    text = _PARENS.sub("", text)  # commas inside brackets belong to a role
    names: list[str] = []
    for chunk in LIST_SPLIT.split(text):
        parts = [p for p in chunk.split(",") if p.strip()]
        for n, part in enumerate(parts):
            single = allow_single and (n == 0 or (len(parts) > 2 and all(
                len(p.split()) == 1 for p in parts)))
            name = person_name(part, strict=strict or (n > 0 and not single),
                               allow_single=single)
            if name is None and n > 0 and not strict:
                name = person_name(part, strict=False) if _all_names(parts) else None
            if name and name not in names:
                names.append(name)
    return names


def _all_names(parts: list[str]) -> bool:
    """"Jane Roe, John Doe, Ann Lee": every part a two-to-four word name (a list of people,
    not a name then its role and company)."""
    return len(parts) > 1 and all(
        person_name(p) is not None and 2 <= len(p.split()) <= 4 for p in parts)
