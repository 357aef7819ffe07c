"""The console platform in process: lines in, replies out, commands by prefix."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path

from bot.commands import SummitService
from bot.config import Config
from bot.platforms.console import ConsolePlatform
from bot.serve import make_platforms


async def run_lines(service: SummitService, text: str) -> list[str]:
    out = io.StringIO()
    console = ConsolePlatform(service, stdin=io.StringIO(text), stdout=out)
    await asyncio.wait_for(console.run(), 30)
    assert not console.connected
    return [block for block in out.getvalue().split("\n\n") if block]


async def test_questions_and_commands(service: SummitService) -> None:
    replies = await run_lines(service, "\n".join([
        "what did the Ceph talk say about CRUSH?",
        "",  # blank lines are skipped
        "!sessions ceph",
        "!session Open Compute",
        "!ask what did the Ceph talk say about CRUSH?",  # no cooldown at the console
        "!help",
        "!frobnicate",
    ]) + "\n")
    assert len(replies) == 6
    assert replies[0].startswith("Storing VMs with Cinder and Ceph RBD")
    assert replies[1].startswith("1 session(s) matching “ceph”")
    assert replies[2].startswith("Open Compute")
    assert replies[3] == replies[0]
    assert "!ask <question>" in replies[4]
    assert replies[5] == "Unknown command !frobnicate; !help lists them."


async def test_console_reload_is_an_admin(service: SummitService) -> None:
    (reply,) = await run_lines(service, "!reload\n")
    assert reply.startswith("Reloaded in")


async def test_close_stops_a_console_waiting_for_input(service: SummitService) -> None:
    read_fd, write_fd = os.pipe()
    with open(read_fd, encoding="utf-8") as stdin, open(write_fd, "w") as writer:
        console = ConsolePlatform(service, stdin=stdin, stdout=io.StringIO())
        task = asyncio.create_task(console.run())
        for _ in range(100):
            if console.connected:
                break
            await asyncio.sleep(0.01)
        assert console.connected
        await console.close()
        await asyncio.wait_for(task, 5)
        assert not console.connected
        writer.write("x\n")  # unblocks the reader thread, which then ends by itself


def test_make_platforms_adds_the_console_only_when_asked(service: SummitService,
                                                         tmp_path: Path) -> None:
    config = Config(db=tmp_path / "x.sqlite3")
    assert make_platforms(service, config) == []
    (console,) = make_platforms(service, config, console=True)
    assert console.name == "console" and not console.connected
