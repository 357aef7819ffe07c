"""Prometheus metrics, fed by the service's question and reload hooks.

Each :class:`Metrics` has a registry of its own (not the library's global one), so two
services in one process, or many tests, never share counters or clash on names.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot import __version__
from bot.commands import SummitService
from bot.events import QuestionEvent
from bot.platforms import Platform

PREFIX = "summit_bot"
# Answers take milliseconds on a small corpus and up to a few seconds on a huge one.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def index_snapshot(service: SummitService) -> dict[str, object]:
    """What is known of the serving index right now; ``open`` is False before start or
    after close, when ``service.index`` would raise."""
    try:
        index = service.index
    except RuntimeError:
        return {"open": False, "path": str(service.db_path), "built_at": None,
                "age_seconds": None, "sessions": 0, "passages": 0}
    built = index.built_at
    return {
        "open": True,
        "path": str(Path(index.path).resolve()),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(built)),
        "age_seconds": round(max(0.0, time.time() - built), 3),
        "sessions": len(index.sessions),
        "passages": index.passage_count,
    }


class _LiveCollector(Collector):
    """Gauges read at scrape time: the index and the platforms' connections."""

    def __init__(self, service: SummitService, platforms: Sequence[Platform]):
        self.service = service
        self.platforms = platforms

    def collect(self) -> Iterable[Metric]:
        snap = index_snapshot(self.service)
        is_open = bool(snap["open"])
        yield GaugeMetricFamily(f"{PREFIX}_index_open", "1 if an index is open and serving",
                                value=1.0 if is_open else 0.0)
        if is_open:
            for name, help_text in (("sessions", "Sessions in the serving index"),
                                    ("passages", "Passages in the serving index"),
                                    ("age_seconds", "Seconds since the serving index was built")):
                value = snap[name]
                assert isinstance(value, int | float)
                yield GaugeMetricFamily(f"{PREFIX}_index_{name}", help_text, value=float(value))
        yield GaugeMetricFamily(f"{PREFIX}_reload_in_progress", "1 while a reload is running",
                                value=1.0 if self.service.reloading else 0.0)
        connected = GaugeMetricFamily(f"{PREFIX}_platform_connected",
                                      "1 if the platform is connected", labels=["platform"])
        for platform in self.platforms:
            connected.add_metric([platform.name], 1.0 if platform_connected(platform) else 0.0)
        yield connected
        if self.service.reminders is not None:
            yield GaugeMetricFamily(f"{PREFIX}_reminders_pending",
                                    "Reminders waiting to be sent (and news of their "
                                    "talks: moved, cancelled)",
                                    value=float(self.service.reminders.scheduler.pending))
        if self.service.feedback is not None:
            yield CounterMetricFamily(f"{PREFIX}_state_errors",
                                      "State database operations that failed or were "
                                      "dropped (answers went on)",
                                      value=float(self.service.feedback.errors))


def platform_connected(platform: Platform) -> bool:
    try:
        return bool(platform.connected)
    except Exception:  # a health probe must never fail because an adapter did
        return False


class Metrics:
    """Counters and a latency histogram per platform; reload counts."""

    def __init__(self, service: SummitService, platforms: Sequence[Platform]):
        self.service = service
        self.registry = CollectorRegistry()
        r = self.registry
        self.questions = Counter(f"{PREFIX}_questions", "Questions asked (answered or declined)",
                                 ["platform"], registry=r)
        self.answered = Counter(f"{PREFIX}_answered", "Questions answered from the notes",
                                ["platform"], registry=r)
        self.declined = Counter(f"{PREFIX}_declined", "Questions the notes did not cover",
                                ["platform"], registry=r)
        self.latency = Histogram(f"{PREFIX}_answer_latency_seconds",
                                 "Time to answer or decline a question", ["platform"],
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.feedback = Counter(f"{PREFIX}_feedback", "Votes on answers", ["platform", "vote"],
                                registry=r)
        self.reloads = Counter(f"{PREFIX}_reloads", "Reloads run (admin command or SIGHUP)",
                               registry=r)
        self.reload_failures = Counter(f"{PREFIX}_reload_failures",
                                       "Reloads that failed and kept the previous index",
                                       registry=r)
        self.reminders_sent = Counter(
            f"{PREFIX}_reminders_sent", "Reminder messages by outcome: sent, late (due while "
            "down), notified (talk cancelled), moved (talk moved), refused, dropped",
            ["platform", "outcome"], registry=r)
        Info(f"{PREFIX}_build", "The running summit-bot", registry=r).info(
            {"version": __version__})
        r.register(_LiveCollector(service, platforms))
        for platform in platforms:  # a series at 0 from the start, so rate() works at once
            self._touch(platform.name)

    def _touch(self, platform: str) -> None:
        for metric in (self.questions, self.answered, self.declined, self.latency):
            metric.labels(platform=platform)

    def on_question(self, event: QuestionEvent) -> None:
        platform = event.platform
        self.questions.labels(platform=platform).inc()
        (self.answered if event.answered else self.declined).labels(platform=platform).inc()
        self.latency.labels(platform=platform).observe(max(0.0, event.seconds))

    def on_vote(self, platform: str, vote: str) -> None:
        self.feedback.labels(platform=platform, vote=vote).inc()

    def on_reminder(self, platform: str, outcome: str) -> None:
        self.reminders_sent.labels(platform=platform, outcome=outcome).inc()

    def on_reload(self, ok: bool) -> None:
        self.reloads.inc()
        if not ok:
            self.reload_failures.inc()

    def attach(self) -> None:
        """Start counting: register on the service's hooks."""
        if self.on_question not in self.service.question_hooks:
            self.service.question_hooks.append(self.on_question)
        if self.on_reload not in self.service.reload_hooks:
            self.service.reload_hooks.append(self.on_reload)
        if self.on_vote not in self.service.vote_hooks:
            self.service.vote_hooks.append(self.on_vote)
        desk = self.service.reminders
        if desk is not None and self.on_reminder not in desk.scheduler.sent_hooks:
            desk.scheduler.sent_hooks.append(self.on_reminder)

    def detach(self) -> None:
        if self.on_question in self.service.question_hooks:
            self.service.question_hooks.remove(self.on_question)
        if self.on_reload in self.service.reload_hooks:
            self.service.reload_hooks.remove(self.on_reload)
        if self.on_vote in self.service.vote_hooks:
            self.service.vote_hooks.remove(self.on_vote)
        desk = self.service.reminders
        if desk is not None and self.on_reminder in desk.scheduler.sent_hooks:
            desk.scheduler.sent_hooks.remove(self.on_reminder)

    def render(self) -> bytes:
        """The registry in Prometheus' text exposition format."""
        return generate_latest(self.registry)
