"""``summit-bot serve`` as a real process: SIGHUP reloads, SIGTERM stops cleanly (also in
the middle of a reload), the health listener and the Docker HEALTHCHECK work on it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.search.build import BUILD_MARK
from bot.search.index import Index
from bot.search.tokenizer import tokenize
from tests.conftest import REPO
from tests.ops.conftest import ServeProcess, clean_env, summit_bot

Start = Callable[..., ServeProcess]

NEW_NOTES = """---
title: Zebra Migration Patterns
speakers: [Ada Quokka]
---

The zebra herd crosses the Mara river every year; the talk explained that the crossing
follows the rains, and that the herd's leaders remember the safest fords.
"""


def metric(process: ServeProcess, name: str, **labels: str) -> float:
    """One sample's value from /metrics, parsed with the Prometheus client's parser."""
    code, body = process.get("/metrics")
    assert code == 200
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v
                                           for k, v in labels.items()):
                return float(sample.value)
    raise AssertionError(f"no sample {name}{labels} in /metrics")


async def usable(db: Path) -> int:
    """The index opens and answers a search; returns its session count."""
    index = await Index.open(db)
    try:
        assert index.sessions
        assert await index.search(tokenize("ceph placement"), limit=3)
        return len(index.sessions)
    finally:
        await index.close()


def test_sighup_reloads_and_questions_are_counted(served: tuple[Path, Path],
                                                  serve_process: Start) -> None:
    db, corpus = served
    bot = serve_process(db, corpus)
    bot.wait_ready()
    code, health = bot.health()
    assert code == 200 and health["index"]["open"] and health["index"]["sessions"] == 12
    assert health["platforms"] == {"console": {"connected": True}}

    reply = bot.ask("what did the zebra talk say about the Mara river?")
    assert "Zebra Migration" not in reply

    (corpus / "zebra.md").write_text(NEW_NOTES, encoding="utf-8")
    bot.signal(signal.SIGHUP)
    bot.wait_log("SIGHUP reload: Reloaded")
    assert "1 added" in bot.err.text()
    reply = bot.ask("what did the zebra talk say about the Mara river?")
    assert reply.startswith("Zebra Migration Patterns"), reply
    assert bot.health()[1]["index"]["sessions"] == 13

    # A reload that cannot read anything fails and keeps the index serving.
    for path in corpus.iterdir():
        path.unlink()
    bot.signal(signal.SIGHUP)
    bot.wait_log("SIGHUP reload: Reload failed")
    code, health = bot.health()
    assert code == 200 and health["index"]["sessions"] == 13

    assert metric(bot, "summit_bot_reloads_total") == 2
    assert metric(bot, "summit_bot_reload_failures_total") == 1
    assert metric(bot, "summit_bot_questions_total", platform="console") == 2
    assert metric(bot, "summit_bot_answered_total", platform="console") == 1
    assert metric(bot, "summit_bot_declined_total", platform="console") == 1
    assert metric(bot, "summit_bot_answer_latency_seconds_count", platform="console") == 2

    # One log line per question, without its text.
    lines = [line for line in bot.err.lines if "question platform=" in line]
    assert len(lines) == 2
    assert "declined" in lines[0] and "answered" in lines[1]
    assert not any("zebra" in line.lower() for line in lines)

    bot.signal(signal.SIGTERM)
    assert bot.wait_exit() == 0
    assert "stopped" in bot.err.lines[-1]


def test_docker_healthcheck_command_passes_against_serve(served: tuple[Path, Path],
                                                         serve_process: Start) -> None:
    """The exact HEALTHCHECK command of deploy/Dockerfile, run against a live bot."""
    text = (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.search(r"HEALTHCHECK .*?CMD (\[.*\])", text)
    assert found, "no exec-form HEALTHCHECK in the Dockerfile"
    command = json.loads(found.group(1))
    assert command[0] == "python"
    db, corpus = served
    bot = serve_process(db, corpus)
    bot.wait_ready()
    env = clean_env(SUMMIT_BOT_HEALTH_PORT=str(bot.port))
    ok = subprocess.run([summit_bot()[0], *command[1:]], env=env, capture_output=True,
                        timeout=20)
    assert ok.returncode == 0, ok.stderr
    bot.signal(signal.SIGTERM)
    assert bot.wait_exit() == 0
    # Nothing listening any more: the same check now fails.
    failed = subprocess.run([summit_bot()[0], *command[1:]], env=env, capture_output=True,
                            timeout=20)
    assert failed.returncode != 0



def wait_for_indexer(parent: int, timeout: float = 20.0) -> None:
    """Until ``parent`` has started its indexer child process (read from /proc)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _indexer_pids(parent):
            return
        time.sleep(0.02)
    raise AssertionError("the indexer process did not start in time")

@pytest.mark.parametrize("whole_group", [False, True],
                         ids=["sigterm-to-bot", "sigterm-to-bot-and-indexer"])
def test_sigterm_during_a_reload_leaves_a_usable_index(
        tmp_path: Path, corpus_index: Path, big_corpus: Path, serve_process: Start,
        whole_group: bool) -> None:
    """``docker stop`` signals only the bot; systemd and Ctrl-C signal the indexer process
    too. Either way the index file is whole afterwards: the old one or the new one."""
    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    bot = serve_process(db, big_corpus, new_session=whole_group)
    bot.wait_ready()
    bot.signal(signal.SIGHUP)
    bot.wait_log("SIGHUP: re-indexing")
    wait_for_indexer(bot.proc.pid)  # signalled while the indexer process runs
    assert bot.health()[1]["reloading"] is True
    bot.signal(signal.SIGTERM, group=whole_group)
    assert bot.wait_exit(60) == 0
    log = bot.err.text()
    if not whole_group:  # signalled together, the indexer may die (and the reload end) first
        assert "a reload is in progress" in log
    assert "Traceback" not in log
    sessions = asyncio.run(usable(db))
    assert sessions in (12, 60 * 12)  # the old index, or the finished new one
    # The next build clears any temporary file a killed indexer left behind.
    leftovers = list(tmp_path.glob(f".{db.name}{BUILD_MARK}*"))
    if whole_group:
        from bot.search.build import remove_stale_builds

        remove_stale_builds(db)
        leftovers = list(tmp_path.glob(f".{db.name}{BUILD_MARK}*"))
    assert leftovers == []


def test_sigterm_while_building_the_first_index_stops_before_serving(
        tmp_path: Path, big_corpus: Path, serve_process: Start) -> None:
    """No index yet, so the first one is being built: SIGTERM stops without serving."""
    db = tmp_path / "index.sqlite3"
    bot = serve_process(db, big_corpus)
    bot.wait_log("building the index at")
    wait_for_indexer(bot.proc.pid)
    bot.signal(signal.SIGTERM)
    assert bot.wait_exit(60) == 0
    assert "serving" not in bot.err.text()


def test_end_of_console_input_stops_serve(served: tuple[Path, Path],
                                          serve_process: Start) -> None:
    db, corpus = served
    bot = serve_process(db, corpus)
    bot.wait_ready()
    assert bot.ask("!sessions ceph").startswith("1 session(s)")
    assert bot.proc.stdin is not None
    bot.proc.stdin.close()
    assert bot.wait_exit() == 0
    bot.wait_log("platform-console stopped")


def test_health_port_in_use_fails_fast(served: tuple[Path, Path],
                                       serve_process: Start) -> None:
    db, corpus = served
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = serve_process(db, corpus, env={"SUMMIT_BOT_HEALTH_PORT": str(port)})
        assert bot.wait_exit() == 1
    assert f"cannot listen on 127.0.0.1 port {port}" in bot.err.text()


def test_ready_and_stopping_are_sent_to_systemd(served: tuple[Path, Path],
                                                serve_process: Start,
                                                tmp_path: Path) -> None:
    db, corpus = served
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(20)
        bot = serve_process(db, corpus, env={"NOTIFY_SOCKET": address})
        messages: list[str] = []
        while not any("READY=1" in m for m in messages):
            messages.append(sock.recv(4096).decode())
        assert any("STATUS=serving 12 sessions" in m for m in messages)
        bot.signal(signal.SIGTERM)
        while not any("STOPPING=1" in m for m in messages):
            messages.append(sock.recv(4096).decode())
        assert bot.wait_exit() == 0


def test_serve_with_nothing_configured_exits_2(tmp_path: Path) -> None:
    result = subprocess.run([*summit_bot(), "serve", "--db", str(tmp_path / "x.sqlite3")],
                            env=clean_env(), capture_output=True, text=True, timeout=30,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert "Nothing to serve" in result.stderr and "--console" in result.stderr


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited


def _indexer_pids(parent: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent and b"bot.search.build_child" in cmdline:
            pids.append(int(stat.parent.name))
    return pids


def test_the_indexer_dies_with_a_killed_bot(tmp_path: Path, corpus_index: Path,
                                           big_corpus: Path, serve_process: Start) -> None:
    """kill -9 of serve mid-reload: its indexer does not run on alone (PR_SET_PDEATHSIG),
    and the next start removes what the killed build was writing."""
    db = tmp_path / "index.sqlite3"
    shutil.copy(corpus_index, db)
    bot = serve_process(db, big_corpus)
    bot.wait_ready()
    bot.signal(signal.SIGHUP)
    wait_for_indexer(bot.proc.pid)
    (indexer,) = _indexer_pids(bot.proc.pid)
    # Held still, it cannot finish by itself: only its parent's death can end it.
    os.kill(indexer, signal.SIGSTOP)
    bot.signal(signal.SIGKILL)
    bot.wait_exit(10)
    deadline = time.monotonic() + 10
    while _alive(indexer) and time.monotonic() < deadline:
        time.sleep(0.05)
    orphaned = _alive(indexer)
    if orphaned:
        os.kill(indexer, signal.SIGKILL)
    assert not orphaned, "the indexer outlived the bot"
    again = serve_process(db, big_corpus)  # a restart: the old index, no leftovers
    again.wait_ready()
    assert list(tmp_path.glob(f".{db.name}{BUILD_MARK}*")) == []
    assert asyncio.run(usable(db)) == 12
    again.signal(signal.SIGTERM)
    assert again.wait_exit(30) == 0
