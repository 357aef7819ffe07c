"""Where our discord.py client talks to: Discord itself unless configured otherwise.

A large bot may route REST calls through a rate-limiting proxy, and an integration test
points the bot at a fake API on 127.0.0.1; both set ``discord.api_base_url`` and
``discord.gateway_url``. discord.py has no option for this, and its URLs are class
attributes shared by every client in the process, so instead of changing those, our client
gets an HTTP client whose aiohttp session rewrites Discord's URLs on the way out. REST
calls, interaction responses (which discord.py sends through the same session) and the
gateway connection all pass through it; other clients in the process are untouched.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord.gateway
import discord.http
import yarl

from bot.config import DiscordConfig

log = logging.getLogger(__name__)


class Endpoints:
    """Maps Discord's own REST and gateway URLs to the configured ones."""

    def __init__(self, api_base_url: str | None, gateway_url: str | None):
        self.api_base = api_base_url.rstrip("/") if api_base_url else None
        self.gateway = yarl.URL(gateway_url) if gateway_url else None

    @classmethod
    def of(cls, config: DiscordConfig) -> Endpoints | None:
        if not (config.api_base_url or config.gateway_url):
            return None
        return cls(config.api_base_url, config.gateway_url)

    def route(self, url: str | yarl.URL) -> str | yarl.URL:
        text = str(url)
        discord_api = discord.http.Route.BASE  # read now: discord.py may change its version
        if self.api_base and text.startswith(discord_api):
            return self.api_base + text[len(discord_api):]
        default_gateway = str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY).rstrip("/")
        if self.gateway is not None and text.startswith(default_gateway):
            return str(self.gateway.with_query(yarl.URL(text).query))
        return url


class RoutedSession:
    """An aiohttp session whose requests go where :class:`Endpoints` says; every other
    attribute is the session's own."""

    def __init__(self, session: aiohttp.ClientSession, endpoints: Endpoints):
        self._session = session
        self._endpoints = endpoints

    def request(self, method: str, url: str | yarl.URL, **kwargs: Any) -> Any:
        return self._session.request(method, self._endpoints.route(url), **kwargs)

    def get(self, url: str | yarl.URL, **kwargs: Any) -> Any:
        return self._session.get(self._endpoints.route(url), **kwargs)

    def ws_connect(self, url: str | yarl.URL, **kwargs: Any) -> Any:
        return self._session.ws_connect(self._endpoints.route(url), **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def __bool__(self) -> bool:
        return True


class RoutedHTTPClient(discord.http.HTTPClient):
    """discord.py's HTTP client, with its session wrapped as it is created at login.

    discord.py keeps the session in a private attribute (``__session``, so named
    ``_HTTPClient__session``) and reads it from there, as does its interaction code; this
    property stands in for that attribute on our instances only.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, endpoints: Endpoints) -> None:
        self._endpoints = endpoints
        self._routed: Any = discord.utils.MISSING
        super().__init__(loop)

    @property
    def _HTTPClient__session(self) -> Any:  # the name discord.py reads
        return self._routed

    @_HTTPClient__session.setter
    def _HTTPClient__session(self, session: Any) -> None:
        if isinstance(session, aiohttp.ClientSession):
            session = RoutedSession(session, self._endpoints)
        self._routed = session


def route_client(client: discord.Client, config: DiscordConfig) -> None:
    """Give ``client`` an HTTP client that talks to the configured endpoints, if any."""
    endpoints = Endpoints.of(config)
    if endpoints is None:
        return
    http = RoutedHTTPClient(client.loop, endpoints)
    client.http = http
    client._connection.http = http  # the state shares the client's HTTP client
    if endpoints.api_base:
        log.info("Discord REST API at %s", endpoints.api_base)
    if endpoints.gateway is not None:
        log.info("Discord gateway at %s", endpoints.gateway)
