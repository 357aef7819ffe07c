"""What end-to-end encryption costs the Matrix bot: answer latency in an encrypted direct
chat beside a plain room, and the bot process's memory. Not a test: run it by hand.

    SYNAPSE_PYTHON=.ci/work/synapse/bin/python .venv/bin/python -m tests.benchmarks.bench_matrix_e2e
    .venv/bin/python -m tests.benchmarks.bench_matrix_e2e --questions 20

A Synapse on 127.0.0.1 (as tests/matrix/synapse.py starts it: SQLite, rate limits raised;
SYNAPSE_PYTHON, else .ci/work/synapse/bin/python). The bot runs in a process of its own
(``MatrixPlatform`` with encryption on, over a ``SummitService`` of the bundled corpus, no
ask cooldown), so its RSS is the bot's alone; the asker (tests/matrix/encrypted.py, an
encrypting nio client as Element is) runs here. Latency is from just before the asker sends
a question (encrypting it included) to the moment its sync hands it the bot's reply,
decrypted: one question at a time, each a little different from the last (a template and a
wording). The first answer in each room is shown apart: in the encrypted chat it includes
setting up the Olm session and sharing the bot's room key. RSS is read from
/proc/<pid>/status (VmRSS; peak: VmHWM).

Sample output (Synapse, the bot and the asker sharing the machine's 2 cores):

    machine: 2 cores; python 3.11.7; matrix-nio 0.26.0; vodozemac 0.10.0; Synapse on 127.0.0.1
    answer latency (ms)      answers    median      p90      max  first answer
    encrypted direct chat         50      53.8     63.5    106.9         145.8
    plain room                    50      48.7     51.9     58.3          55.8
    bot process RSS                                MiB
    service loaded, platform not started            91
    connected (encryption store loaded)             92
    after 51 encrypted answers                      95
    after 51 plain answers as well                  95
    peak (VmHWM)                                    95
    the encryption store on disk: 128 KiB
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.commands import SummitService
from bot.config import MatrixConfig
from bot.platforms.matrix.client import MatrixPlatform

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
PASSWORD = "correct horse battery staple"
SPEC_ENV = "BENCH_MATRIX_BOT_SPEC"  # the bot process's settings (JSON), from the parent
REPLY_WITHIN = 60.0  # seconds: a question not answered in this long fails the run

TOPICS = [
    "what did the Ceph talk say about CRUSH?",
    "what is the RADOS block device?",
    "what is Colony for object storage?",
    "how does Cinder boot from volume?",
    "is tape still used for backups?",
    "what is database as a service?",
    "how do you upgrade from Folsom to Grizzly?",
    "what is Open Compute about?",
    "what hooks are there in Folsom?",
    "what did GridCentric say about fork() for virtual machines?",
]
WORDINGS = ["{}", "hey, {}", "{} thanks", "quick one: {}", "{} (for my notes)"]


def questions(count: int, offset: int = 0) -> list[str]:
    """``count`` questions, no two alike in a row and none repeated before all
    topic x wording pairs are used."""
    out: list[str] = []
    for i in range(offset, offset + count):
        topic = TOPICS[i % len(TOPICS)]
        wording = WORDINGS[(i // len(TOPICS)) % len(WORDINGS)]
        out.append(wording.format(topic))
    return out


def proc_status_kib(field: str, pid: int | str = "self") -> int:
    """A memory figure (kB) from /proc/<pid>/status: VmRSS, VmHWM."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


# --- the bot's process ------------------------------------------------------------------------
async def serve_bot(spec: dict[str, Any]) -> None:
    """The bot: the service loaded, then the platform run until SIGTERM; says on stdout
    when the service is loaded (with its RSS) and when the platform is connected."""
    service = SummitService(Path(spec["db"]), [Path(spec["corpus"])],
                            ask_cooldown_seconds=0.0, platform_cooldowns={"matrix": 0.0})
    await service.start()
    gc.collect()
    emit(stage="service", rss_kib=proc_status_kib("VmRSS"))
    config = MatrixConfig(homeserver=spec["homeserver"], user_id=spec["user_id"],
                          password=SecretStr(spec["password"]), state_dir=Path(spec["state_dir"]),
                          encryption=True, ask_cooldown_seconds=0.0)
    platform = MatrixPlatform(service, config)
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []
    loop.add_signal_handler(signal.SIGTERM,
                            lambda: closing.append(loop.create_task(platform.close())))
    runner = loop.create_task(platform.run())
    while not platform.connected:
        if runner.done():
            await runner  # its exception, or a return that should not happen
            raise RuntimeError("the platform stopped before it connected")
        await asyncio.sleep(0.05)
    emit(stage="connected", device_id=platform.client.device_id,
         rss_kib=proc_status_kib("VmRSS"))
    try:
        await runner
    finally:
        await asyncio.gather(*closing, return_exceptions=True)
        await service.close()


# --- the asker's side ----------------------------------------------------------------------
class Bot:
    """The bot's process, started and read from here."""

    def __init__(self, proc: asyncio.subprocess.Process, stderr: Path):
        self.proc = proc
        self.stderr = stderr

    async def stage(self, name: str, timeout: float = 120.0) -> dict[str, Any]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            line = await asyncio.wait_for(self.proc.stdout.readline(), max(left, 0.01))
            if not line:
                raise RuntimeError(f"the bot exited before '{name}':\n{self.tail()}")
            with contextlib.suppress(ValueError):
                data = json.loads(line)
                if isinstance(data, dict) and data.get("stage") == name:
                    return data

    def tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.stderr.read_text(errors="replace")[-3000:]
        return ""

    def kib(self, field: str) -> int:
        return proc_status_kib(field, self.proc.pid)

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def start_bot(spec: dict[str, Any], folder: Path) -> Bot:
    stderr = folder / "bot.log"
    with open(stderr, "wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.benchmarks.bench_matrix_e2e", "--serve-bot",
            cwd=REPO, env={**os.environ, SPEC_ENV: json.dumps(spec)},
            stdout=asyncio.subprocess.PIPE, stderr=log_file)
    return Bot(proc, stderr)


class Arrivals:
    """When the asker's sync handed over each reply (keyed by the question it answers),
    and whether it had been encrypted."""

    def __init__(self) -> None:
        self.at: dict[str, tuple[float, bool]] = {}

    async def on_message(self, room: Any, event: Any) -> None:
        relates = (event.source.get("content") or {}).get("m.relates_to") or {}
        question = (relates.get("m.in_reply_to") or {}).get("event_id")
        if isinstance(question, str) and question not in self.at:
            self.at[question] = (time.perf_counter(), bool(getattr(event, "decrypted", False)))


async def ask_all(asked: list[str], send: Callable[[str], Awaitable[str]],
                  arrivals: Arrivals, encrypted: bool) -> list[float]:
    """Ask one question at a time; the latency of each (ms)."""
    latencies: list[float] = []
    for question in asked:
        started = time.perf_counter()
        event_id = await send(question)
        deadline = time.monotonic() + REPLY_WITHIN
        while event_id not in arrivals.at:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no reply to {question!r} within {REPLY_WITHIN} s")
            await asyncio.sleep(0.005)
        arrived, decrypted = arrivals.at[event_id]
        if decrypted != encrypted:
            raise RuntimeError(f"the reply to {question!r} was "
                               f"{'decrypted' if decrypted else 'in the clear'}")
        latencies.append((arrived - started) * 1000)
    return latencies


def summary(name: str, first: float, latencies: list[float]) -> str:
    p90 = statistics.quantiles(latencies, n=10, method="inclusive")[-1]
    return (f"{name:<24} {len(latencies):>7} {statistics.median(latencies):>9.1f} "
            f"{p90:>8.1f} {max(latencies):>8.1f} {first:>13.1f}")


async def bench(count: int, synapse_python: str) -> None:
    from nio import RoomMessageNotice, RoomMessageText

    from bot.corpus import load_corpus
    from bot.search.build import build_index
    from tests.matrix.encrypted import EncryptedPerson
    from tests.matrix.synapse import Synapse

    with tempfile.TemporaryDirectory(prefix="bench-matrix-e2e-") as tmp:
        folder = Path(tmp)
        corpus = folder / "corpus"
        shutil.copytree(CORPUS, corpus)
        db = folder / "index.sqlite3"
        build_index(load_corpus([corpus]), db)
        synapse = Synapse(synapse_python, folder / "synapse")
        synapse.start()
        bot: Bot | None = None
        alice: EncryptedPerson | None = None
        try:
            bot_id = synapse.register("summitbot", PASSWORD)
            alice_id = synapse.register("alice", PASSWORD)
            spec = {"homeserver": synapse.url, "user_id": bot_id, "password": PASSWORD,
                    "state_dir": str(folder / "bot-state"), "db": str(db),
                    "corpus": str(corpus)}
            bot = await start_bot(spec, folder)
            before = (await bot.stage("service"))["rss_kib"]
            connected = await bot.stage("connected")
            alice = EncryptedPerson(synapse.url, alice_id, PASSWORD, folder / "alice")
            await alice.start()
            arrivals = Arrivals()
            alice.client.add_event_callback(arrivals.on_message,
                                            (RoomMessageText, RoomMessageNotice))

            dm = await alice.create_encrypted_dm(bot_id)
            await alice.wait_joined(dm, bot_id)
            asked = questions(count + 1)

            async def send_encrypted(question: str) -> str:
                assert alice is not None
                return await alice.send_encrypted(dm, question)

            first_e2e, *e2e = await ask_all(asked, send_encrypted, arrivals, encrypted=True)
            after_e2e = bot.kib("VmRSS")

            room = await alice.create_plain_room([bot_id])
            await alice.wait_joined(room, bot_id)

            async def send_plain(question: str) -> str:
                assert alice is not None
                return await alice.send_plain(room, f"!ask {question}")

            first_plain, *plain = await ask_all(questions(count + 1, offset=count + 1),
                                                send_plain, arrivals, encrypted=False)
            after_plain, peak = bot.kib("VmRSS"), bot.kib("VmHWM")
            store = sum(p.stat().st_size for p in (folder / "bot-state").glob("*.db*"))
        finally:
            if alice is not None:
                await alice.close()
            if bot is not None:
                await bot.stop()
            synapse.stop()

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; matrix-nio "
          f"{version('matrix-nio')}; vodozemac {version('vodozemac')}; Synapse on 127.0.0.1")
    print(f"{'answer latency (ms)':<24} {'answers':>7} {'median':>9} {'p90':>8} {'max':>8} "
          f"{'first answer':>13}")
    print(summary("encrypted direct chat", first_e2e, e2e))
    print(summary("plain room", first_plain, plain))
    print(f"{'bot process RSS':<44} {'MiB':>5}")
    for what, kib in [("service loaded, platform not started", before),
                      ("connected (encryption store loaded)", connected["rss_kib"]),
                      (f"after {count + 1} encrypted answers", after_e2e),
                      (f"after {count + 1} plain answers as well", after_plain),
                      ("peak (VmHWM)", peak)]:
        print(f"{what:<44} {kib / 1024:>5.0f}")
    print(f"the encryption store on disk: {store / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--questions", type=int, default=50,
                        help="questions timed per room, after a first one shown apart")
    parser.add_argument("--synapse-python", default=os.environ.get(
        "SYNAPSE_PYTHON", str(REPO / ".ci" / "work" / "synapse" / "bin" / "python")))
    parser.add_argument("--serve-bot", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bot:  # the bot's own process, started by bench()
        asyncio.run(serve_bot(json.loads(os.environ[SPEC_ENV])))
        return
    if not Path(args.synapse_python).exists():
        parser.error(f"no Python with Synapse at {args.synapse_python}: set SYNAPSE_PYTHON")
    if args.questions < 2:
        parser.error("--questions must be at least 2")
    # the asker's nio says what it does as it goes (a missing Olm session it then makes...)
    logging.getLogger("nio").setLevel(logging.ERROR)
    asyncio.run(bench(args.questions, args.synapse_python))


if __name__ == "__main__":
    main()
