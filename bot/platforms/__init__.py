"""Chat platforms. Each adapter only turns chat events into command calls and command
results into messages; the commands themselves live in ``bot.commands``."""

from __future__ import annotations

from typing import Protocol


class Platform(Protocol):
    """What ``summit-bot serve`` needs of a platform adapter."""

    name: str

    @property
    def connected(self) -> bool: ...

    async def run(self) -> None:
        """Connect and handle events until ``close()`` is called."""

    async def close(self) -> None: ...
