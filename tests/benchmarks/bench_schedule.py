"""Speed of the schedule: indexing a large pretalx export beside the notes, answering
schedule questions (side by side with rank-bm25 and SQLite FTS5), and a reload's stall of
the event loop.

Not a test: run it by hand,
    .venv/bin/python -m tests.benchmarks.bench_schedule
It generates a synthetic, deterministic pretalx ``schedule.json`` (1,000 events, ~2 MB:
10 rooms, 3 days, ~1.5 KB abstracts, speakers with bios) and prints

- indexing: ``load_corpus`` + ``build_index`` of the bundled corpus/ with and without the
  export as a ``schedule.sources`` file (median of 5 each) and the difference (target ≤ 1 s);
- schedule answers: ``await SummitService.ask(q)`` for ~200 when/where/who/speaker/now/
  next/at questions built from the export's titles, rooms and speakers, with a FixedClock
  on the second morning (target p50 ≤ 5 ms); beside it, for the same questions, rank-bm25's
  ``BM25Okapi.get_scores`` over the 1,000 sessions' title + speakers + abstract tokens and
  an FTS5 ``MATCH … ORDER BY rank LIMIT 5`` over the same texts. The anchors only rank
  texts by the question's words; summit-bot also reads the question, finds the talk, room,
  person or time, and words the answer;
- refresh: ``service.reload(...)`` of the corpus and a changed export (10 talks moved,
  5 cancelled) while a coroutine ticking every 10 ms measures the event loop's largest
  stall.

Sample output (2 cores, Python 3.11; the stall is the largest gap between ticks less
the 10 ms each tick sleeps):

    machine: 2 cores; python 3.11.7
    export: 1,000 events, 2.03 MB, 10 rooms, 3 days, 525 speakers
    == indexing (load_corpus + build_index, median of 5)
    bundled corpus alone               0.02 s
    corpus + the export                0.32 s
    indexing a 1,000-event 2 MB export adds 0.30 s (target ≤ 1 s)
    == schedule answers: 200 questions, clock 2031-09-17T11:10:00+02:00
    schedule replies: 200/200 (194 naming talks, 6 'nothing is on then')
    the talk or person asked for, first: 125/125
    p50 by kind (ms): at 1.45, next 1.16, now 0.67, speaker 0.15, when 0.37, where 0.67, who 0.33
    engine            p50 ms   p99 ms
    summit-bot          0.77     2.84
    rank-bm25           0.30     1.10
    sqlite-fts5         0.37     1.05   (0 questions without a content word skipped)
    summit-bot / rank-bm25 (p50): 2.54
    summit-bot / FTS5 (p50): 2.1
    == refresh: reload with the changed export
    reload ok in 0.94 s: 15 schedule changes; largest event-loop stall 33 ms (97 ticks)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from bot.clock import FixedClock
from bot.commands import ReloadReport, Requester, ScheduleReply, SummitService
from bot.corpus.loader import load_corpus
from bot.schedule.sources import ScheduleSource
from bot.search.build import build_index
from bot.search.tokenizer import STOPWORDS, tokenize
from tests.conftest import CORPUS
from tests.loopwatch import TICK_SECONDS, loop_gaps

ZONE = "Europe/Berlin"
DAYS = [date(2031, 9, 16), date(2031, 9, 17), date(2031, 9, 18)]
ROOMS = ["Janson", "Main Stage", "Aula Magna", "K.1.105", "H.2215", "Lovelace Hall",
         "Hopper Hall", "Workshop Room 1", "Workshop Room 2", "Lightning Corner"]
NOW = datetime(2031, 9, 17, 11, 10, tzinfo=ZoneInfo(ZONE))  # the second morning

FIRST = ["Ada", "Maria", "Tom", "Lee", "Priya", "Jonas", "Aiko", "Chen", "Fatima", "Lars",
         "Nadia", "Omar", "Sofia", "Kwame", "Ingrid", "Mateo", "Yuki", "Elena", "Ravi",
         "Hannah", "Diego", "Aylin", "Piotr", "Grace", "Tariq", "Mei", "Oskar", "Leila",
         "Bruno", "Zoe"]
LAST = ["Quill", "Ortega", "Reyes", "Park", "Nakamura", "Lindqvist", "Okafor", "Kowalski",
        "Haddad", "Moreau", "Fischer", "Sato", "Varga", "Mensah", "Rossi", "Novak", "Dubois",
        "Iyer", "Bauer", "Costa", "Jensen", "Tanaka", "Wojcik", "Alvarez", "Brennan",
        "Castillo", "Eriksen", "Gallo", "Hoffmann", "Kaur"]
TOPICS = ["Ceph", "Kubernetes", "Rust", "WebAssembly", "PostgreSQL", "eBPF", "RISC-V",
          "Matrix", "LibreOffice", "GNOME", "Wayland", "systemd", "OpenStreetMap", "Nix",
          "Gitea", "Jupyter", "Zig", "Prometheus", "OpenTelemetry", "Mesa", "FreeBSD",
          "Debian", "Fedora", "Python typing", "Go generics", "SQLite", "Kafka", "Tor",
          "Signal protocol", "OpenSSL", "LLVM", "GCC", "KiCad", "Blender", "Godot",
          "Firefox", "Thunderbird", "Mastodon", "ActivityPub", "Nextcloud"]
FORMS = ["{t} at Scale", "Debugging {t} in Production", "What's New in {t}",
         "{t} for Beginners", "Ten Years of {t}", "Securing {t}", "{t} Internals",
         "Migrating to {t}", "{t} on Small Devices", "Testing {t} Properly",
         "The State of {t}", "Building a Community around {t}", "{t} Performance Deep Dive",
         "Lessons from Running {t}", "{t} and Reproducible Builds", "Hacking on {t}",
         "{t} without the Cloud", "Accessibility in {t}", "{t} Packaging Pitfalls",
         "Observability for {t}", "{t} Governance", "Rewriting {t} Components",
         "{t} in the Classroom", "Energy Use of {t}", "Fuzzing {t}"]
SENTENCES = [
    "This talk walks through how the {t} project handles {w} and what broke along the way.",
    "We show measurements from a deployment of {n} machines and the tuning that mattered.",
    "Attendees will learn how to profile {w}, read the flame graphs and fix the hot paths.",
    "The second half covers the migration plan, the rollback we needed and the postmortem.",
    "We compare three approaches to {w} and explain why the simplest one won in practice.",
    "A live demo shows the tooling end to end, from a fresh checkout to a signed release.",
    "Contributors from {n} organisations now maintain it; we discuss how decisions are made.",
    "Expect practical advice on {w}, the upstream patches we sent and those still pending.",
    "We also look at the security model, the threat analysis and the audit results.",
    "Finally, we outline the roadmap for the next release and where help is most needed.",
    "The approach works on hardware as small as a single-board computer with 512 MB of RAM.",
    "Questions about packaging, licensing and long-term support are welcome at the end.",
]
WORK = ["memory allocation", "build caching", "schema migrations", "network partitions",
        "release engineering", "continuous fuzzing", "incremental compilation",
        "tail latency", "cold starts", "code review", "translation workflows",
        "power management", "crash reporting", "dependency updates", "on-call rotations"]


# --- the synthetic export ---------------------------------------------------------------

def make_events(count: int = 1000, seed: int = 2031) -> list[dict[str, Any]]:
    """Pretalx events, deterministic: 10 rooms over 3 days in 25-minute slots from 09:00,
    1-2 speakers each from a pool of 600, an abstract of ~1.5 KB."""
    rng = random.Random(seed)
    people = [f"{f} {s}" for f in FIRST for s in LAST]
    rng.shuffle(people)
    speakers = people[:600]
    bios = {name: f"{name.split()[0]} maintains parts of {rng.choice(TOPICS)} and works on "
                  f"{rng.choice(WORK)} at a small cooperative." for name in speakers}
    titles: set[str] = set()
    events: list[dict[str, Any]] = []
    zone = ZoneInfo(ZONE)
    for n in range(count):
        day = DAYS[n % 3]
        room = ROOMS[(n // 3) % len(ROOMS)]
        slot = n // 30  # per day and room
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone) + timedelta(
            minutes=25 * slot)
        while True:
            topic = rng.choice(TOPICS)
            title = rng.choice(FORMS).format(t=topic)
            if title not in titles:
                break
            if rng.random() < 0.5:
                title = f"{title}: {rng.choice(WORK).capitalize()}"
                if title not in titles:
                    break
        titles.add(title)
        abstract = ""
        while len(abstract) < 1400:
            abstract += rng.choice(SENTENCES).format(t=topic, w=rng.choice(WORK),
                                                     n=rng.randint(3, 400)) + " "
        who = rng.sample(speakers, 2 if rng.random() < 0.25 else 1)
        kind = "Workshop" if room.startswith("Workshop") else \
            "Lightning Talk" if room == "Lightning Corner" else "Talk"
        uid = f"b0000000-0000-0000-0000-{n:012d}"
        events.append({
            "guid": uid, "id": 10_000 + n, "code": f"E{n:05d}", "title": title,
            "subtitle": "", "date": start.isoformat(), "start": f"{start:%H:%M}",
            "duration": "00:20", "room": room, "track": topic, "type": kind,
            "language": "en", "abstract": abstract.strip(), "description": "",
            "url": f"https://pretalx.example.org/bench2031/talk/E{n:05d}/",
            "persons": [{"public_name": name, "biography": bios[name]} for name in who],
            "links": []})
    return events


def export_json(events: list[dict[str, Any]]) -> bytes:
    days: dict[str, dict[str, list[dict[str, Any]]]] = {d.isoformat(): {} for d in DAYS}
    for event in events:
        days[event["date"][:10]].setdefault(event["room"], []).append(event)
    return json.dumps({"schedule": {"version": "1", "conference": {
        "acronym": "bench2031", "title": "Bench Summit 2031", "start": DAYS[0].isoformat(),
        "end": DAYS[-1].isoformat(), "daysCount": len(DAYS), "timeslot_duration": "00:05",
        "time_zone_name": ZONE,
        "days": [{"index": n, "date": day, "day_start": f"{day}T06:00:00+02:00",
                  "day_end": f"{day}T23:59:00+02:00", "rooms": rooms}
                 for n, (day, rooms) in enumerate(days.items(), 1)]}}}).encode()


def changed(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The export after a programme change: 10 talks an hour later, 5 cancelled."""
    out = [dict(e) for e in events]
    for event in out[100:110]:
        start = datetime.fromisoformat(event["date"]) + timedelta(hours=1)
        event.update(date=start.isoformat(), start=f"{start:%H:%M}")
    for event in out[200:205]:
        event["state"] = "canceled"
    return out


# --- questions --------------------------------------------------------------------------

Question = tuple[str, str, str | None]  # kind, the question, the title or person it names


def make_questions(events: list[dict[str, Any]], count: int = 200, seed: int = 5
                   ) -> list[Question]:
    """When/where/who by title, a speaker's talks, now/next in a room, a room at a time."""
    rng = random.Random(seed)
    titled = rng.sample(events, count)
    out: list[Question] = []
    for n, event in enumerate(titled):
        title = event["title"]
        name = event["persons"][0]["public_name"]
        room = rng.choice(ROOMS)
        hour = rng.randint(9, 20)
        shape = n % 8
        if shape == 0:
            out.append(("when", f"when is {title}?", title))
        elif shape == 1:
            out.append(("where", f"which room is {title} in", title))
        elif shape == 2:
            out.append(("who", f"who is giving {title}?", title))
        elif shape == 3:
            out.append(("when", f"what time does {title.lower()} start", title))
        elif shape == 4:
            out.append(("speaker", rng.choice([f"what is {name} talking about?",
                                               f"when does {name} speak",
                                               f"{name}'s talk"]), name))
        elif shape == 5:
            out.append(("now", rng.choice([f"what's on in {room} right now?",
                                           "what's happening now?"]), None))
        elif shape == 6:
            out.append(("next", rng.choice([f"what's next in {room}", "what's up next?"]),
                        None))
        else:
            out.append(("at", rng.choice([f"what's in {room} at {hour % 12 or 12}pm"
                                          if hour >= 12 else f"what's in {room} at {hour}am",
                                          f"what's on at {hour}:30 tomorrow"]), None))
    return out


# --- measuring --------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) * 1000


def seconds(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def bench_indexing(export: Path, folder: Path, repeat: int) -> tuple[float, float]:
    source = [ScheduleSource(path=str(export))]

    def notes() -> None:
        build_index(load_corpus([CORPUS]), folder / "notes.sqlite3")

    def both() -> None:
        report = load_corpus([CORPUS], schedules=source)
        assert not report.skipped, report.skipped
        build_index(report, folder / "both.sqlite3")

    notes()
    both()  # warm: imports, the tokenizer's cache of the notes' words
    alone: list[float] = []
    paired: list[float] = []
    for _ in range(repeat):  # alternated, so that neither gets the quieter moments
        alone.append(seconds(notes))
        paired.append(seconds(both))
    return statistics.median(alone), statistics.median(paired)


async def bench_answers(service: SummitService, questions: list[Question]
                        ) -> dict[str, Any]:
    for _, text, _ in questions[:20]:  # warm-up
        await service.ask(text)
    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    scheduled = talks = right = about = 0
    for kind, text, named in questions:
        started = time.perf_counter()
        reply = await service.ask(text)
        took = time.perf_counter() - started
        times.append(took)
        by_kind.setdefault(kind, []).append(took)
        if isinstance(reply, ScheduleReply):
            scheduled += 1
            talks += reply.answer.answered
            first = reply.answer.talks[0] if reply.answer.talks else None
            if first is not None and named is not None:
                right += named in (first.title, *first.record.speakers)
        about += named is not None
    return {"p50": pct(times, 50), "p99": pct(times, 99), "scheduled": scheduled,
            "talks": talks, "right": right, "about": about,
            "kinds": {k: pct(v, 50) for k, v in by_kind.items()}}


def session_texts(events: list[dict[str, Any]]) -> list[str]:
    return [" ".join([e["title"], *(p["public_name"] for p in e["persons"]), e["abstract"]])
            for e in events]


def bench_rank_bm25(texts: list[str], questions: list[str]) -> dict[str, float]:
    from rank_bm25 import BM25Okapi

    model = BM25Okapi([tokenize(t) for t in texts])
    times = []
    for q in questions:
        started = time.perf_counter()
        scores = model.get_scores(tokenize(q))
        np.argpartition(-scores, 5)[:5]
        times.append(time.perf_counter() - started)
    return {"p50": pct(times, 50), "p99": pct(times, 99)}


def bench_fts5(texts: list[str], questions: list[str], folder: Path) -> dict[str, float] | str:
    conn = sqlite3.connect(folder / "fts5.sqlite3")
    try:
        conn.execute("CREATE VIRTUAL TABLE s USING fts5(text, tokenize='porter unicode61')")
    except sqlite3.OperationalError as exc:
        conn.close()
        return f"this sqlite3 module has no FTS5 ({exc}); skipped"
    conn.executemany("INSERT INTO s(text) VALUES (?)", ((t,) for t in texts))
    conn.commit()
    sql = "SELECT rowid FROM s WHERE s MATCH ? ORDER BY rank LIMIT 5"

    def match(q: str) -> str:  # the question's content words, OR-ed, quoted
        words = [w for w in "".join(c if c.isalnum() else " " for c in q.lower()).split()
                 if w not in STOPWORDS]
        return " OR ".join(f'"{w}"' for w in words)

    times = []
    skipped = 0
    for q in questions:
        expression = match(q)
        if not expression:
            skipped += 1
            continue
        started = time.perf_counter()
        conn.execute(sql, (expression,)).fetchall()
        times.append(time.perf_counter() - started)
    conn.close()
    return {"p50": pct(times, 50), "p99": pct(times, 99), "skipped": skipped}


async def reload_stall(service: SummitService) -> tuple[ReloadReport, float, int]:
    """A reload, and the event loop's largest gap between 10 ms ticks meanwhile."""
    async with loop_gaps() as gaps:
        await asyncio.sleep(0.05)
        report = await asyncio.wait_for(
            service.reload(Requester("bench", "b", is_admin=True)), 600)
        await asyncio.sleep(0.05)  # the swap's last steps, then stop
    assert isinstance(report, ReloadReport), report
    return report, max(gaps) - TICK_SECONDS, len(gaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    events = make_events(args.events)
    body = export_json(events)
    speakers = {p["public_name"] for e in events for p in e["persons"]}
    print(f"export: {len(events):,} events, {len(body) / 1e6:.2f} MB, "
          f"{len({e['room'] for e in events})} rooms, {len(DAYS)} days, "
          f"{len(speakers)} speakers")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export = folder / "programme" / "schedule.json"
        export.parent.mkdir()
        export.write_bytes(body)

        alone, with_export = bench_indexing(export, folder, args.repeat)
        print(f"== indexing (load_corpus + build_index, median of {args.repeat})")
        print(f"{'bundled corpus alone':<34}{alone:>5.2f} s")
        print(f"{'corpus + the export':<34}{with_export:>5.2f} s")
        print(f"indexing a {len(events):,}-event {len(body) / 1e6:.0f} MB export adds "
              f"{with_export - alone:.2f} s (target ≤ 1 s)")

        questions = make_questions(events, args.questions)
        texts = [q for _, q, _ in questions]
        db = folder / "service.sqlite3"
        shutil.copy(folder / "both.sqlite3", db)
        ours, reload_report, stall, ticks = asyncio.run(
            serve(db, export, events, questions))
        ref = bench_rank_bm25(session_texts(events), texts)
        fts = bench_fts5(session_texts(events), texts, folder)

    print(f"== schedule answers: {len(questions)} questions, clock {NOW.isoformat()}")
    print(f"schedule replies: {ours['scheduled']}/{len(questions)} ({ours['talks']} naming "
          f"talks, {ours['scheduled'] - ours['talks']} 'nothing is on then')")
    print(f"the talk or person asked for, first: {ours['right']}/{ours['about']}")
    print("p50 by kind (ms): " + ", ".join(
        f"{kind} {ms:.2f}" for kind, ms in sorted(ours["kinds"].items())))
    print(f"{'engine':<16}{'p50 ms':>8}{'p99 ms':>9}")
    print(f"{'summit-bot':<16}{ours['p50']:>8.2f}{ours['p99']:>9.2f}")
    print(f"{'rank-bm25':<16}{ref['p50']:>8.2f}{ref['p99']:>9.2f}")
    if isinstance(fts, str):
        print(f"{'sqlite-fts5':<16}{fts}")
    else:
        print(f"{'sqlite-fts5':<16}{fts['p50']:>8.2f}{fts['p99']:>9.2f}   "
              f"({fts['skipped']:.0f} questions without a content word skipped)")
    print(f"summit-bot / rank-bm25 (p50): {ours['p50'] / ref['p50']:.2f}")
    if not isinstance(fts, str):
        print(f"summit-bot / FTS5 (p50): {ours['p50'] / fts['p50']:.1f}")
    print("== refresh: reload with the changed export")
    print(f"reload {'ok' if reload_report.ok else 'FAILED: ' + str(reload_report.error)} in "
          f"{reload_report.seconds:.2f} s: {len(reload_report.schedule_changes)} schedule "
          f"changes; largest event-loop stall {stall * 1000:.0f} ms ({ticks} ticks)")


async def serve(db: Path, export: Path, events: list[dict[str, Any]],
                questions: list[Question]
                ) -> tuple[dict[str, Any], ReloadReport, float, int]:
    service = SummitService(db, [CORPUS], schedules=[ScheduleSource(path=str(export))],
                            clock=FixedClock(NOW))
    await service.start()  # opens the index built above
    try:
        ours = await bench_answers(service, questions)
        export.write_bytes(export_json(changed(events)))
        report, stall, ticks = await reload_stall(service)
    finally:
        await service.close()
    return ours, report, stall, ticks


if __name__ == "__main__":
    main()
