"""A platform on standard input and output, for trying the bot locally (``summit-bot serve
--console``) and for testing ``serve`` without any chat network.

One line in, one reply out. Lines starting with the command prefix run the other
commands (``!help``, ``!sessions ceph``, ``!session <title>``, ``!reload``); any other line
is a question. The person at the console runs the process, so they count as an admin. End
of input (Ctrl-D) stops the console, and with it ``serve``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
import threading
from typing import TextIO

from bot.commands import Requester, SummitService
from bot.commands.results import Agenda
from bot.commands.table import BY_NAME, Call
from bot.commands.text import render_text
from bot.reminders.delivery import Delivery


class ConsolePlatform:
    name = "console"

    def __init__(self, service: SummitService, stdin: TextIO | None = None,
                 stdout: TextIO | None = None):
        self.service = service
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self._connected = False
        self._closed = asyncio.Event()
        # The service's cooldown is per user, meant for chat rooms; the console is one
        # trusted person, so each line gets a user id of its own.
        self._line_ids = itertools.count(1)

    @property
    def connected(self) -> bool:
        return self._connected

    async def run(self) -> None:
        """Answer lines until end of input or ``close()``."""
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | None] = asyncio.Queue()

        def read() -> None:  # a daemon thread: a blocked read never holds up the exit
            try:
                for line in self.stdin:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
            except (OSError, ValueError):  # stdin closed under us: as good as its end
                pass
            except RuntimeError:  # the event loop is gone: nobody is listening
                return
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(lines.put_nowait, None)  # end of input

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        self._connected = True
        closed = loop.create_task(self._closed.wait())
        try:
            while True:
                getter = loop.create_task(lines.get())
                await asyncio.wait([getter, closed], return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    return
                line = getter.result()
                if line is None:
                    return
                if line.strip():
                    self._write(await self.handle(line.strip()))
        finally:
            self._connected = False
            closed.cancel()

    async def handle(self, line: str) -> str:
        """One line's reply, as text."""
        requester = Requester(self.name, f"console-{next(self._line_ids)}", is_admin=True,
                              name="console")
        prefix = self.service.prefix
        if not line.startswith(prefix):
            return render_text(await self.service.ask(line, requester))
        name, _, rest = line[len(prefix):].partition(" ")
        command = BY_NAME.get(name.lower())
        if command is None:
            return f"Unknown command {prefix}{name}; {prefix}help lists them."
        # one person at this terminal: their reminders keep one id across lines
        requester = Requester(self.name, "console", is_admin=True, name="console",
                              direct=True)
        reply = await command.run(self.service, Call(requester, rest.strip()))
        if isinstance(reply, Agenda) and reply.ics is not None:  # the file, shown inline
            return render_text(reply) + "\n" + reply.ics.decode("utf-8").rstrip()
        return render_text(reply)

    async def send_direct(self, user: str, text: str, ref: str) -> Delivery:
        """A reminder at this terminal (a rehearsal with SUMMIT_BOT_NOW shows them)."""
        self._write(f"(direct message) {text}")
        return "sent"

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # stdout closed: nothing to tell
            self.stdout.write(text + "\n\n")
            self.stdout.flush()

    async def close(self) -> None:
        self._closed.set()
