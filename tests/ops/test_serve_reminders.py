"""``summit-bot serve`` rehearsing a summit (SUMMIT_BOT_NOW): a reminder set at the console
arrives when due, from the real process with its real scheduler task, and is counted in
the metrics."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ops.conftest import ServeProcess
from tests.schedule.sample import write_sample

Start = Callable[..., ServeProcess]


@pytest.mark.parametrize("feedback", ["true", "false"])
def test_a_rehearsed_reminder_arrives_when_due(tmp_path: Path, serve_process: Start,
                                               feedback: str) -> None:
    """With feedback off too: the state database is opened for reminders alone."""
    programme = tmp_path / "programme"
    write_sample(programme)
    db = tmp_path / "data" / "index.sqlite3"
    # four seconds before the Ceph talk starts at 10:00 (its clock runs from there)
    bot = serve_process(db, programme,
                        env={"SUMMIT_BOT_NOW": "2030-06-01T09:59:56+02:00",
                             "SUMMIT_BOT_FEEDBACK_ENABLED": feedback})
    bot.wait_ready(timeout=60)
    assert bot.proc.stdin is not None
    bot.proc.stdin.write("!remind 0 ceph storage\n")
    bot.proc.stdin.flush()
    bot.out.wait_for(lambda ls: any(line.startswith("Set: I will remind you 0 min before "
                                                    "Storage at Scale with Ceph") for line in ls),
                     15, "the reminder to be set")
    assert any(line.startswith("(direct message) I will remind you here 0 min before")
               for line in bot.out.lines)
    bot.out.wait_for(lambda ls: any(line.startswith(
        "(direct message) Reminder: Storage at Scale with Ceph starts") for line in ls),
        20, "the reminder itself")
    bot.wait_log("pending; sent by direct message on console", timeout=5)
    # counted once the row is gone, just after the message went out
    sent = 'summit_bot_reminders_sent_total{outcome="sent",platform="console"} 1.0'
    deadline = time.monotonic() + 10
    while True:
        code, body = bot.get("/metrics")
        assert code == 200
        done = sent in body.decode() and "summit_bot_reminders_pending 0.0" in body.decode()
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sent in body.decode()
    assert "summit_bot_reminders_pending 0.0" in body.decode()
    listing = bot.ask("!reminders")
    assert "no reminders" in listing
    assert (db.parent / "state.sqlite3").exists()
