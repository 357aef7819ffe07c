"""/healthz and /metrics over real HTTP, in process, against a started service."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import __version__
from bot.commands import Requester, SummitService
from bot.config import HealthConfig
from bot.events import QuestionEvent
from bot.ops.health import HealthServer
from bot.ops.metrics import Metrics


class FakePlatform:
    """Just enough of the Platform contract for the health report."""

    def __init__(self, name: str, connected: bool = True):
        self.name = name
        self.is_connected = connected

    @property
    def connected(self) -> bool:
        return self.is_connected

    async def run(self) -> None:
        pass

    async def close(self) -> None:
        pass


class BrokenPlatform(FakePlatform):
    @property
    def connected(self) -> bool:
        raise RuntimeError("adapter bug")


async def fetch(server: HealthServer, path: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(server.url + path) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, keyed by name and sorted labels."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = float(sample.value)
    return out


def value(found: dict[Any, float], name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


@pytest.fixture
async def server(service: SummitService) -> AsyncIterator[HealthServer]:
    platforms = [FakePlatform("discord"), FakePlatform("matrix", connected=False)]
    health = HealthServer(service, platforms, HealthConfig(enabled=True, port=0))
    await health.start()
    try:
        yield health
    finally:
        await health.close()


async def test_healthz_reports_index_and_platforms(server: HealthServer,
                                                   service: SummitService) -> None:
    code, content_type, body = await fetch(server, "/healthz")
    assert code == 200 and content_type.startswith("application/json")
    report = json.loads(body)
    assert report["status"] == "ok"
    index = report["index"]
    assert index["open"] is True
    assert index["path"] == str(service.db_path.resolve())
    assert index["sessions"] == 12 and index["passages"] == service.index.passage_count
    assert 0 <= index["age_seconds"] < 24 * 3600
    assert report["platforms"] == {"discord": {"connected": True},
                                   "matrix": {"connected": False}}
    assert report["reloading"] is False


async def test_healthz_is_503_without_an_open_index(server: HealthServer,
                                                    service: SummitService) -> None:
    await service.close()
    code, _, body = await fetch(server, "/healthz")
    assert code == 503
    assert '"open": false' in body and '"status": "unavailable"' in body
    code, _, text = await fetch(server, "/metrics")
    assert code == 200
    assert value(samples(text), "summit_bot_index_open") == 0


async def test_metrics_count_questions_per_platform(server: HealthServer,
                                                    service: SummitService) -> None:
    code, content_type, text = await fetch(server, "/metrics")
    assert code == 200 and content_type.startswith("text/plain")
    before = samples(text)
    for name in ("summit_bot_questions_total", "summit_bot_answered_total",
                 "summit_bot_declined_total"):  # present at 0 from the start
        assert value(before, name, platform="discord") == 0
        assert value(before, name, platform="matrix") == 0

    discord = Requester("discord", "u1")
    await service.ask("what did the Ceph talk say about CRUSH?", discord)
    await service.ask("what is the airspeed of an unladen swallow?",
                      Requester("discord", "u2"))
    await service.ask("what did the Ceph talk say about CRUSH?", Requester("matrix", "@a:b"))
    await service.ask("   ", Requester("matrix", "@c:b"))  # not a question: not counted

    found = samples((await fetch(server, "/metrics"))[2])
    assert value(found, "summit_bot_questions_total", platform="discord") == 2
    assert value(found, "summit_bot_answered_total", platform="discord") == 1
    assert value(found, "summit_bot_declined_total", platform="discord") == 1
    assert value(found, "summit_bot_questions_total", platform="matrix") == 1
    assert value(found, "summit_bot_answered_total", platform="matrix") == 1
    assert value(found, "summit_bot_answer_latency_seconds_count", platform="discord") == 2
    assert value(found, "summit_bot_answer_latency_seconds_bucket", platform="discord",
                 le="+Inf") == 2
    assert value(found, "summit_bot_answer_latency_seconds_sum", platform="discord") > 0
    assert value(found, "summit_bot_index_sessions") == 12
    assert value(found, "summit_bot_index_open") == 1
    assert value(found, "summit_bot_platform_connected", platform="discord") == 1
    assert value(found, "summit_bot_platform_connected", platform="matrix") == 0
    assert value(found, "summit_bot_build_info", version=__version__) == 1


async def test_metrics_count_reloads_and_failures(server: HealthServer,
                                                  service: SummitService,
                                                  corpus_copy: Path) -> None:
    admin = Requester("matrix", "@admin:b", is_admin=True)
    report = await service.reload(admin)
    assert getattr(report, "ok", False)
    for path in corpus_copy.iterdir():
        path.unlink()
    report = await service.reload(admin)
    assert getattr(report, "ok", True) is False
    await service.reload(Requester("matrix", "@nobody:b"))  # refused: not a reload
    found = samples((await fetch(server, "/metrics"))[2])
    assert value(found, "summit_bot_reloads_total") == 2
    assert value(found, "summit_bot_reload_failures_total") == 1
    assert value(found, "summit_bot_reload_in_progress") == 0


async def test_a_broken_adapter_does_not_break_the_probe(service: SummitService) -> None:
    health = HealthServer(service, [BrokenPlatform("discord")],
                          HealthConfig(enabled=True, port=0))
    await health.start()
    try:
        code, _, body = await fetch(health, "/healthz")
        assert code == 200 and '"discord": {"connected": false}' in body
        code, _, text = await fetch(health, "/metrics")
        assert value(samples(text), "summit_bot_platform_connected", platform="discord") == 0
    finally:
        await health.close()


async def test_two_servers_keep_separate_registries(service: SummitService) -> None:
    first = HealthServer(service, [], HealthConfig(port=0))
    second = HealthServer(service, [], HealthConfig(port=0))
    await first.start()
    await second.start()
    try:
        await service.ask("what did the Ceph talk say about CRUSH?", Requester("cli", "x"))
        # Both listen to the same service, each with its own counters.
        for server in (first, second):
            found = samples((await fetch(server, "/metrics"))[2])
            assert value(found, "summit_bot_questions_total", platform="cli") == 1
        await first.close()
        await service.ask("what did the Ceph talk say about CRUSH?", Requester("cli", "y"))
        found = samples((await fetch(second, "/metrics"))[2])
        assert value(found, "summit_bot_questions_total", platform="cli") == 2
        assert first.metrics.on_question not in service.question_hooks
    finally:
        await first.close()
        await second.close()


async def test_unknown_paths_are_404_and_head_works(server: HealthServer) -> None:
    code, _, _ = await fetch(server, "/")
    assert code == 404
    async with aiohttp.ClientSession() as session, session.head(server.url + "/healthz") as r:
        assert r.status == 200


async def test_a_taken_port_raises_and_leaves_no_hooks(service: SummitService) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        health = HealthServer(service, [], HealthConfig(port=port))
        with pytest.raises(OSError):
            await health.start()
    assert health.metrics.on_question not in service.question_hooks
    await health.close()  # harmless after a failed start


def test_metrics_render_without_a_listener(service: SummitService) -> None:
    metrics = Metrics(service, [FakePlatform("console")])
    metrics.on_question(QuestionEvent("console", "hedged", 0.02, "q"))
    metrics.on_reload(False)
    found = samples(metrics.render().decode())
    assert value(found, "summit_bot_answered_total", platform="console") == 1
    assert value(found, "summit_bot_reload_failures_total") == 1


async def test_votes_and_state_errors_are_counted(feedback_service: SummitService) -> None:
    metrics = Metrics(feedback_service, [FakePlatform("discord")])
    metrics.attach()
    try:
        reply = await feedback_service.ask("what did the Ceph talk say about CRUSH?",
                                           Requester("discord", "u1", place="g"))
        answer_id = getattr(reply, "answer_id", "")
        assert await feedback_service.vote(answer_id, Requester("discord", "u2"), "down")
        assert not await feedback_service.vote("feedfacefeedface", Requester("discord", "u2"),
                                               "up")  # unknown: not counted
        assert feedback_service.feedback is not None
        feedback_service.feedback.errors = 3
        found = samples(metrics.render().decode())
    finally:
        metrics.detach()
    assert value(found, "summit_bot_feedback_total", platform="discord", vote="down") == 1
    assert ("summit_bot_feedback_total", (("platform", "discord"), ("vote", "up"))) \
        not in found
    assert value(found, "summit_bot_state_errors_total") == 3
