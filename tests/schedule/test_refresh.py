"""Fetching a schedule URL and refreshing the index from it, through the real parts: a
schedule host of the test's own on 127.0.0.1 serves the made-up schedule
(tests/schedule/sample.py) with an ETag and Last-Modified, and can be told to answer 500,
to hang, to trickle, to break off, to serve a changed programme or one over the size cap.

The host is ``http.server`` in a thread: ``summit-bot index URL`` fetches in the test's own
thread (an aiohttp server on the test's event loop would never answer it), and a reload
fetches from the indexer child process. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import os
import stat
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.clock import FixedClock
from bot.commands import ReloadReport, ScheduleReply, SummitService
from bot.schedule.fetch import USER_AGENT, Fetched, fetch_source, fetched_folder_for
from bot.schedule.sources import ScheduleSource
from bot.search.index import Index
from tests.conftest import CORPUS
from tests.loopwatch import loop_gaps
from tests.schedule.sample import DAY1, DAY2, EVENTS, schedule_json

CAP = 64 * 1024  # max_bytes for the direct fetch_source tests (the sample is ~5 KiB)
WAIT = 60.0  # the longest any service step may take before the test fails
DURING = datetime.fromisoformat(f"{DAY1}T09:50:00+02:00")  # the clock: the first morning
MOVED, CANCELLED, RENAMED, REMOVED = (
    "Observability Deep Dive", "Rust for Kernel Hackers", "The Future of Summits",
    "Late Night Lightning Talks")
NEW_TITLE, NEW_NAME = "Mesh Networks for Festivals", "The Future of Conferences"


def changed_events() -> list[dict[str, Any]]:
    """The sample with one talk moved to another day, time and room, one cancelled, one
    renamed, one added and one removed (the ids stay; titles and slots change)."""
    events = []
    for original in EVENTS:
        event = dict(original)
        if event["title"] == MOVED:
            event.update(date=f"{DAY2}T15:00:00+02:00", start="15:00", room="Saal 2")
        elif event["title"] == CANCELLED:
            event["state"] = "canceled"
        elif event["title"] == RENAMED:
            event["title"] = NEW_NAME
        elif event["title"] == REMOVED:
            continue
        events.append(event)
    added = dict(EVENTS[0], guid="a0000000-0000-0000-0000-000000000110", id=0x110,
                 code="000110", title=NEW_TITLE, date=f"{DAY2}T14:00:00+02:00",
                 start="14:00", room="Saal 1", abstract="Batman-adv on a field of tents.",
                 url="https://pretalx.example.org/tsum/talk/000110/")
    return [*events, added]


EXPECTED_CHANGES = [
    f"new: {NEW_TITLE} (Sun 2 Jun 14:00, Saal 1)",
    f"cancelled: {CANCELLED}",
    f"moved: {MOVED} (Sat 1 Jun 13:00 → Sun 2 Jun 15:00; Saal 1 → Saal 2)",
    f"renamed: {NEW_NAME} (was “{RENAMED}”)",
    f"removed: {REMOVED}",
]


class ScheduleHost:
    """What the host serves, and how; the handler reads it at each request."""

    def __init__(self) -> None:
        self.mode = "ok"  # ok, error, hang, trickle, truncated, garbage, big, big-streamed
        self.delay = 0.0  # seconds to wait before answering
        self.body = b""
        self.version = 0
        self.modified = ""
        self.seen: list[dict[str, str]] = []  # the headers of each request
        self.release = threading.Event()  # set at teardown: no handler waits any longer
        self.url = ""
        self.publish(schedule_json())

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    def publish(self, body: bytes) -> None:
        self.body = body
        self.version += 1
        self.modified = email.utils.formatdate(time.time() - 60 * (10 - self.version),
                                               usegmt=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        host = self.server.host
        host.seen.append({k.lower(): v for k, v in self.headers.items()})
        if host.delay:
            host.release.wait(host.delay)
        with contextlib.suppress(OSError):  # the client gave up (a cap, a timeout)
            self._answer(host)

    def _answer(self, host: ScheduleHost) -> None:
        mode, body = host.mode, host.body
        if mode == "hang":
            host.release.wait(10)
            return
        if mode == "garbage":
            self.wfile.write(b"SUMMIT/9 what\r\n\r\n")
            return
        if mode == "error":
            self.send_error(500)
            return
        if mode == "ok" and self.headers.get("If-None-Match") == host.etag:
            self.send_response(304)
            self.send_header("ETag", host.etag)
            self.end_headers()
            return
        if mode == "big":  # says so in Content-Length
            self.send_response(200)
            self.send_header("Content-Length", str(CAP + 1))
            self.end_headers()
            self.wfile.write(b" " * 1024)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", host.etag)
        self.send_header("Last-Modified", host.modified)
        if mode == "big-streamed":  # no Content-Length: the body runs until the close
            self.end_headers()
            for _ in range(CAP // 4096 + 2):
                self.wfile.write(b" " * 4096)
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "truncated":  # the connection drops halfway
            self.wfile.write(body[: len(body) // 2])
            return
        if mode == "trickle":  # a byte every 50 ms, each read quick, the whole slow (6 s)
            for byte in body[:120]:
                if host.release.wait(0.05):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            return
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: ScheduleHost) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.host = host


@pytest.fixture
def host() -> Iterator[ScheduleHost]:
    schedule_host = ScheduleHost()
    server = _Server(schedule_host)
    schedule_host.url = f"http://127.0.0.1:{server.server_address[1]}/tsum/schedule.json"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield schedule_host
    finally:
        schedule_host.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def fetch(host: ScheduleHost, folder: Path | None, timeout: float = 5.0,
          max_bytes: int = CAP) -> Fetched:
    return fetch_source(host.url, folder, max_bytes, timeout=timeout)


# --- fetch_source -----------------------------------------------------------------------

def test_a_fetch_keeps_an_owner_only_copy_and_asks_again_conditionally(
        host: ScheduleHost, tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    got = fetch(host, folder)
    assert got == Fetched(host.body, fresh=True)
    assert host.seen[0]["user-agent"] == USER_AGENT
    assert "if-none-match" not in host.seen[0]
    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".body", ".json"]  # no temporary file left
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    meta = json.loads(files[1].read_text(encoding="utf-8"))
    assert meta["etag"] == host.etag and meta["last_modified"] == host.modified
    assert meta["url"] == host.url

    again = fetch(host, folder)
    assert again == Fetched(host.body, fresh=False)  # a 304: the kept body, no note
    assert host.seen[1]["if-none-match"] == host.etag
    assert host.seen[1]["if-modified-since"] == host.modified
    for path in folder.iterdir():  # confirming the copy did not widen its mode
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    host.publish(schedule_json(changed_events()))
    fresh = fetch(host, folder)
    assert fresh.fresh and fresh.body == host.body
    assert (folder / files[0].name).read_bytes() == host.body  # the new copy is kept


def test_a_server_error_or_a_timeout_serves_the_kept_copy_with_a_note(
        host: ScheduleHost, tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    kept = host.body
    assert fetch(host, folder).fresh
    host.publish(schedule_json(changed_events()))  # never seen: the server fails from now

    host.mode = "error"
    got = fetch(host, folder)
    assert got.body == kept and not got.fresh and got.error is None
    assert got.note is not None
    assert "the server answered 500 Internal Server Error" in got.note
    assert "serving the copy fetched" in got.note

    host.mode = "hang"
    started = time.monotonic()
    got = fetch(host, folder, timeout=0.5)
    assert time.monotonic() - started < 3
    assert got.body == kept and got.note is not None and not got.fresh
    assert "did not answer within 0.5 s" in got.note, got.note
    assert "serving the copy fetched" in got.note


def test_a_body_that_trickles_in_is_still_bounded_by_the_timeout(
        host: ScheduleHost, tmp_path: Path) -> None:
    """Each byte arrives well within the socket timeout, the whole would take minutes: the
    timeout bounds the fetch, not only each read."""
    folder = tmp_path / "kept"
    kept = host.body
    assert fetch(host, folder).fresh
    host.publish(schedule_json(changed_events()))
    host.mode = "trickle"
    started = time.monotonic()
    got = fetch(host, folder, timeout=0.5)
    assert time.monotonic() - started < 3
    assert got.body == kept and got.note is not None and not got.fresh
    assert "did not answer within 0.5 s" in got.note


def test_a_broken_answer_is_never_kept_over_the_good_copy(host: ScheduleHost,
                                                          tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    kept = host.body
    assert fetch(host, folder).fresh
    host.publish(schedule_json(changed_events()))

    host.mode = "truncated"  # half the body, then the connection drops
    got = fetch(host, folder)
    assert got.body == kept and got.note is not None and not got.fresh
    assert "connection closed" in got.note

    host.mode = "garbage"  # not HTTP at all: never an exception out of fetch_source
    got = fetch(host, folder)
    assert got.body == kept and got.note is not None and not got.fresh
    assert "could not be fetched" in got.note

    host.mode = "ok"  # the kept copy is still the good one, and still conditional
    assert fetch(host, folder) == Fetched(host.body, fresh=True)
    assert host.seen[-1]["if-none-match"] == '"v1"'


def test_no_kept_copy_and_a_failure_is_an_error_sentence(host: ScheduleHost,
                                                         tmp_path: Path) -> None:
    host.mode = "error"
    got = fetch(host, tmp_path / "kept")
    assert got.body is None and got.note is None and not got.fresh
    assert got.error == ("the server answered 500 Internal Server Error, and there is no "
                         "earlier copy to serve")
    assert not (tmp_path / "kept").exists() or not any((tmp_path / "kept").iterdir())

    host.mode = "hang"
    got = fetch(host, None, timeout=0.3)
    assert got.body is None and got.error is not None
    assert got.error.startswith("it did not answer within 0.3 s")


@pytest.mark.parametrize("mode", ["big", "big-streamed"])
def test_a_body_over_the_cap_is_refused_naming_the_setting(host: ScheduleHost,
                                                           tmp_path: Path, mode: str) -> None:
    folder = tmp_path / "kept"
    host.mode = mode
    got = fetch(host, folder)
    assert got.body is None and got.error is not None
    assert "limits.max_schedule_bytes" in got.error
    assert "over 64 KiB" in got.error, got.error
    assert not folder.exists() or not any(folder.iterdir())  # nothing over the cap kept

    host.mode = "ok"
    kept = fetch(host, folder).body
    host.mode = mode
    got = fetch(host, folder)
    assert got.body == kept and got.note is not None
    assert "limits.max_schedule_bytes" in got.note and "serving the copy fetched" in got.note


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/schedule.json",
                                 "/tmp/schedule.json", "javascript:alert(1)"])
def test_only_http_urls_are_fetched(url: str, tmp_path: Path) -> None:
    got = fetch_source(url, tmp_path / "kept", CAP)
    assert got.body is None and not got.fresh
    assert got.error == "only http:// and https:// schedule URLs are fetched"
    assert not (tmp_path / "kept").exists()


# --- summit-bot index URL -----------------------------------------------------------------

def test_summit_bot_index_reads_the_schedule_at_a_url(host: ScheduleHost,
                                                      tmp_path: Path) -> None:
    db = tmp_path / "index.sqlite3"
    runner = CliRunner()
    result = runner.invoke(cli, ["index", host.url, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "9 sessions (9 from schedules)" in result.output
    assert any(fetched_folder_for(db).iterdir())  # the copy is kept beside the index

    when = runner.invoke(cli, ["ask", "--db", str(db), "--json", "--now", DURING.isoformat(),
                               "when is the observability deep dive"])
    assert when.exit_code == 0, when.output
    session = json.loads(when.output)["session"]
    assert (session["title"], session["start"], session["room"]) == (
        MOVED, f"{DAY1}T13:00:00+02:00", "Saal 1")

    host.publish(schedule_json(changed_events()))
    result = runner.invoke(cli, ["index", host.url, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert host.seen[-1]["if-none-match"] == '"v1"'
    assert [line.strip() for line in result.output.splitlines()
            if line.strip().startswith("schedule ")] == [
        f"schedule {change}" for change in EXPECTED_CHANGES]

    host.mode = "error"  # the kept copy is indexed, with a warning
    result = runner.invoke(cli, ["index", host.url, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "9 sessions (9 from schedules)" in result.output
    assert "the server answered 500" in result.output
    assert "schedule " not in result.output


# --- the service: start, refresh, a failing host, a slow one ---------------------------------

@pytest.fixture
async def service(host: ScheduleHost, tmp_path: Path) -> AsyncIterator[SummitService]:
    svc = SummitService(tmp_path / "index.sqlite3", [CORPUS],
                        schedules=[ScheduleSource(url=host.url)], clock=FixedClock(DURING))
    await asyncio.wait_for(svc.start(), WAIT)
    try:
        yield svc
    finally:
        await asyncio.wait_for(svc.close(), WAIT)


async def when_is(service: SummitService, title: str) -> tuple[datetime, str | None]:
    reply = await service.ask(f"when is the {title.lower()}")
    assert isinstance(reply, ScheduleReply), reply
    talk = reply.answer.talks[0]
    assert talk.title == title
    return talk.start, talk.room


async def refresh(service: SummitService) -> ReloadReport:
    report = await asyncio.wait_for(service.refresh_schedule(), WAIT)
    assert report is not None
    return report


async def test_a_refresh_reports_the_schedule_changes_and_answers_from_them(
        host: ScheduleHost, service: SummitService) -> None:
    index: Index = service.index
    notes = sum(1 for s in index.sessions if s.slot is None)
    assert notes > 0  # the bundled notes, beside the schedule
    assert sum(1 for s in index.sessions if s.slot is not None) == len(EVENTS)
    assert await when_is(service, MOVED) == (
        datetime.fromisoformat(f"{DAY1}T13:00:00+02:00"), "Saal 1")

    host.publish(schedule_json(changed_events()))
    report = await refresh(service)
    assert report.ok, report
    assert report.schedule_changes == EXPECTED_CHANGES
    assert report.problems == [] and report.warnings == []
    assert host.seen[-1]["if-none-match"] == '"v1"'  # the child asked conditionally
    assert report.sessions_after == report.sessions_before  # one added, one removed

    start, room = await when_is(service, MOVED)
    assert start == datetime.fromisoformat(f"{DAY2}T15:00:00+02:00")
    assert start.utcoffset() is not None and room == "Saal 2"
    renamed = await service.ask(f"when is {NEW_NAME.lower()}")
    assert isinstance(renamed, ScheduleReply)
    assert renamed.answer.talks[0].title == NEW_NAME
    cancelled = await service.ask("when is rust for kernel hackers")
    assert isinstance(cancelled, ScheduleReply) and cancelled.answer.talks[0].cancelled

    unchanged = await refresh(service)  # a 304: nothing is news
    assert unchanged.ok and unchanged.schedule_changes == [] and unchanged.warnings == []
    assert host.seen[-1]["if-none-match"] == '"v2"'

    host.mode = "error"  # the host fails: the kept copy serves, nothing is lost
    failed = await refresh(service)
    assert failed.ok and failed.error is None and failed.schedule_changes == []
    assert failed.sessions_after == failed.sessions_before == report.sessions_after
    assert [path for path, _ in failed.warnings] == [host.url]
    warning = failed.warnings[0][1]
    assert "the server answered 500 Internal Server Error" in warning
    assert "serving the copy fetched" in warning
    assert failed.problems == []
    assert await when_is(service, MOVED) == (start, "Saal 2")
    assert sum(1 for s in service.index.sessions if s.slot is None) == notes


async def test_a_refresh_never_blocks_the_event_loop(host: ScheduleHost,
                                                     service: SummitService) -> None:
    host.publish(schedule_json(changed_events()))
    host.delay = 1.0
    started = time.perf_counter()
    async with loop_gaps() as gaps:
        report = await refresh(service)
    took = time.perf_counter() - started
    assert report.ok and report.schedule_changes == EXPECTED_CHANGES
    assert took >= 1.0  # the host's delay was waited out…
    assert len(gaps) >= 50  # …while the loop went on ticking
    assert max(gaps) < 0.25, f"the event loop stalled {max(gaps) * 1000:.0f} ms"


def test_the_kept_copy_lives_beside_the_index_with_owner_only_files(
        host: ScheduleHost, tmp_path: Path) -> None:
    """What the indexer child keeps is what fetch_source keeps (one folder per index)."""
    db = tmp_path / "index.sqlite3"
    result = CliRunner().invoke(cli, ["index", host.url, "--db", str(db)])
    assert result.exit_code == 0, result.output
    folder = fetched_folder_for(db)
    assert folder.parent == db.parent and folder.name.startswith(".")
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert os.listdir(folder) and all(
        name.endswith((".body", ".json")) for name in os.listdir(folder))


def test_a_page_that_is_not_a_schedule_never_replaces_the_good_copy(
        host: ScheduleHost, tmp_path: Path) -> None:
    """A maintenance page served with a 200 is not indexed, nor kept over the schedule."""
    db = tmp_path / "index.sqlite3"
    runner = CliRunner()
    assert runner.invoke(cli, ["index", host.url, "--db", str(db)]).exit_code == 0
    host.publish(b"<html><body>Down for maintenance</body></html>")
    result = runner.invoke(cli, ["index", host.url, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "9 sessions (9 from schedules)" in result.output
    assert "not a schedule export; serving the copy fetched" in result.output


def test_a_cancelled_talk_that_comes_back_is_reinstated() -> None:
    from bot.corpus.models import Session, Slot
    from bot.schedule.diff import diff_schedules

    def talk(cancelled: bool) -> Session:
        return Session(title="Quantum Widgets", source="s.json", summit="Test Summit 2030",
                       slot=Slot(start=f"{DAY1}T14:00:00+02:00", room="Saal 2", uid="q",
                                 cancelled=cancelled))

    (change,) = diff_schedules([talk(True)], [talk(False)])
    assert str(change) == "reinstated: Quantum Widgets (Sat 1 Jun 14:00, Saal 2)"
