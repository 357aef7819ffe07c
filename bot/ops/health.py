"""The optional HTTP listener: ``/healthz`` for probes, ``/metrics`` for Prometheus.

It is off by default and listens on loopback by default (``health`` in the config): what
it tells is harmless, but nobody outside the host needs it unless an admin says so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot import __version__
from bot.commands import SummitService
from bot.config import HealthConfig
from bot.ops.metrics import Metrics, index_snapshot, platform_connected
from bot.platforms import Platform

log = logging.getLogger(__name__)


class HealthServer:
    """``/healthz`` answers 200 while an index is open and serving, 503 otherwise; each
    platform's connection is reported but does not fail the probe, because the chat
    libraries reconnect by themselves and a restart would not help them."""

    def __init__(self, service: SummitService, platforms: Sequence[Platform],
                 health_config: HealthConfig):
        self.service = service
        self.platforms = list(platforms)
        self.config = health_config
        self.metrics = Metrics(service, self.platforms)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    def status(self) -> tuple[int, dict[str, Any]]:
        """The health document and its HTTP status (also handy without HTTP)."""
        index = index_snapshot(self.service)
        ok = bool(index["open"])
        body: dict[str, Any] = {
            "status": "ok" if ok else "unavailable",
            "version": __version__,
            "index": index,
            "reloading": self.service.reloading,
            "platforms": {p.name: {"connected": platform_connected(p)} for p in self.platforms},
        }
        return (200 if ok else 503), body

    async def _healthz(self, request: web.Request) -> web.Response:
        code, body = self.status()
        return web.json_response(body, status=code,
                                 headers={"Cache-Control": "no-store"})

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.render(),
                            headers={"Content-Type": CONTENT_TYPE_LATEST,
                                     "Cache-Control": "no-store"})

    async def start(self) -> None:
        """Listen, and start counting questions and reloads. Raises OSError if the address
        cannot be bound (in use, or not on this host)."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.config.host, self.config.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = _bound_port(runner, self.config.port)
        self.metrics.attach()
        log.info("health and metrics on %s (/healthz, /metrics)", self.url)

    @property
    def port(self) -> int:
        """The port listened on: the configured one, or the one picked for port 0."""
        if self._port is None:
            raise RuntimeError("HealthServer.start() has not been awaited")
        return self._port

    @property
    def url(self) -> str:
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    async def close(self) -> None:
        self.metrics.detach()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()


def _bound_port(runner: web.AppRunner, configured: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return configured
