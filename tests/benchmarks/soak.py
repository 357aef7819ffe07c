"""Soak: ``summit-bot serve`` answering many /ask through the fake Discord while SIGHUP
reloads run every so often. Not a test: it reports, for the operator to read.

    python -m tests.benchmarks.soak                      # 20,000 questions over 10 minutes
    python -m tests.benchmarks.soak --questions 2000 --duration 0 --reload-every 3

Prints RSS of the serve process at start and end (after a warm-up), asks per second,
latency p50/p99 (from the interaction sent to Discord's callback received), the reloads
run, and failures (an apology, or no answer within 10 s). The bot's memory must not grow
with the number of questions answered.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import statistics
import tempfile
import time
from pathlib import Path

from bot.corpus import load_corpus
from bot.platforms.discord.render import FAILURE
from bot.search.build import build_index
from tests.conftest import CORPUS
from tests.discord.fake_discord import TOKEN, FakeDiscord, Recorded
from tests.ops.conftest import clean_env, summit_bot

QUESTIONS = [
    "what did the Ceph talk say about CRUSH?",
    "how do you upgrade from Folsom to Grizzly?",
    "what is the Open Compute rack made of?",
    "who spoke about Cinder and Ceph RBD?",
    "what is the weather on mars tomorrow",  # declined: a different path
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def soak(questions: int, concurrency: int, reload_every: float,
               duration: float) -> None:
    work = Path(tempfile.mkdtemp(prefix="summit-soak-"))
    corpus = work / "corpus"
    shutil.copytree(CORPUS, corpus)
    db = work / "index.sqlite3"
    build_index(load_corpus([corpus]), db)
    fake = FakeDiscord(keep_requests=False)
    await fake.start()
    waiting: dict[str, asyncio.Future[Recorded]] = {}

    def on_request(recorded: Recorded) -> None:
        parts = recorded.path.strip("/").split("/")
        if parts[0] == "interactions" and parts[-1] == "callback":
            future = waiting.pop(parts[1], None)
            if future is not None and not future.done():
                future.set_result(recorded)

    fake.on_request = on_request
    env = clean_env(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=fake.api_base,
                    DISCORD_GATEWAY_URL=fake.gateway_url, SUMMIT_BOT_DB=str(db),
                    SUMMIT_BOT_CORPUS=str(corpus), DISCORD_ASK_COOLDOWN_SECONDS="0",
                    SUMMIT_BOT_LOG_LEVEL="WARNING")
    proc = await asyncio.create_subprocess_exec(
        *summit_bot(), "serve", env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    latencies: list[float] = []
    failures = 0
    reloads = 0
    try:
        await fake.wait_until(lambda: bool(fake.identifies), timeout=60)
        await asyncio.sleep(1.0)

        async def ask(n: int) -> None:
            nonlocal failures
            payload = fake.slash("ask", question=QUESTIONS[n % len(QUESTIONS)])
            future: asyncio.Future[Recorded] = asyncio.get_running_loop().create_future()
            waiting[payload["id"]] = future
            started = time.perf_counter()
            await fake.dispatch("INTERACTION_CREATE", payload)
            try:
                answer = await asyncio.wait_for(future, 10)
            except TimeoutError:
                failures += 1
                waiting.pop(payload["id"], None)
                return
            latencies.append(time.perf_counter() - started)
            if FAILURE in str((answer.json or {}).get("data", {}).get("content", "")):
                failures += 1

        warm = min(500, questions // 10)
        for start in range(0, warm, concurrency):
            await asyncio.gather(*(ask(n) for n in range(start, min(start + concurrency, warm))))
        latencies.clear()
        rss_start = rss_mb(proc.pid)
        began = last_reload = time.perf_counter()
        for start in range(0, questions, concurrency):
            if reload_every and time.perf_counter() - last_reload >= reload_every:
                proc.send_signal(signal.SIGHUP)
                reloads += 1
                last_reload = time.perf_counter()
            sent = min(start + concurrency, questions)
            await asyncio.gather(*(ask(n) for n in range(start, sent)))
            if duration:  # spread the questions over the duration, as a busy day would
                ahead = began + duration * sent / questions - time.perf_counter()
                if ahead > 0:
                    await asyncio.sleep(ahead)
        elapsed = time.perf_counter() - began
        rss_end = rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        await fake.stop()
        shutil.rmtree(work, ignore_errors=True)
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99)] if ordered else float("nan")
    print(f"questions {questions:,} in {elapsed:.1f} s ({questions / elapsed:.0f} asks/s, "
          f"{concurrency} at a time); reloads {reloads}; failures {failures}")
    print(f"latency p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    print(f"serve RSS {rss_start:.1f} MB after warm-up, {rss_end:.1f} MB at the end "
          f"({rss_end - rss_start:+.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--reload-every", type=float, default=30.0, metavar="SECONDS")
    parser.add_argument("--duration", type=float, default=600.0, metavar="SECONDS",
                        help="spread the questions over this long (0: as fast as it goes)")
    args = parser.parse_args()
    asyncio.run(soak(args.questions, args.concurrency, args.reload_every, args.duration))


if __name__ == "__main__":
    main()
