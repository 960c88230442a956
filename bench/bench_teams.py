"""Benchmark: Teams messages through `/api/messages` (real SDK adapter, real HTTP, the tests' fake connector).

Measures, for N `help` messages sent C at a time:
- HTTP latency of `/api/messages` (the request returns once the reply was posted to the connector), p50/p99,
- the adapter's overhead against a baseline measured in the same run: `Bot.handle("help")` plus rendering the
  Adaptive Card, in-process, one at a time (no HTTP, no SDK),
- rendering time of the largest card qopt draws (a 100-row, 10-column table).

    .venv/bin/python bench/bench_teams.py [--messages 300] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import adapters.teams  # noqa: E402
from adapters.teams.cards import render_activity  # noqa: E402
from qopt.bot.reply import Reply, Table  # noqa: E402
from qopt.bot.request import Identity, Place  # noqa: E402
from tests.teams.harness import FakeConnector, make_bot, message, start  # noqa: E402 - the tests' fake connector


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def run(messages: int, concurrency: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="qopt-bench-teams-"))
    connector = FakeConnector()
    connector_runner, connector_url = await start(connector.app())
    bot = make_bot(tmp)
    web_app = web.Application()
    adapters.teams.setup(web_app, bot, bot.settings, host="127.0.0.1")
    runner, url = await start(web_app)
    service_url = connector_url + "/amer/"

    # Baseline: the router and the renderer alone.
    user = Identity(user_id="29:1ada")
    place = Place(platform="teams", channel_id="a:1", is_dm=True)
    baseline: list[float] = []
    for _ in range(messages):
        started = time.perf_counter()
        render_activity(await bot.handle("help", user, place))
        baseline.append(time.perf_counter() - started)

    latencies: list[float] = []
    semaphore = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:

        async def one() -> None:
            async with semaphore:
                started = time.perf_counter()
                async with session.post(url + "/api/messages", json=message(service_url, "help")) as response:
                    await response.read()
                    assert response.status == 202, response.status
                latencies.append(time.perf_counter() - started)

        wall = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(messages)))
        wall = time.perf_counter() - wall
    replies = len(connector.messages())

    rows = [[f"{i:016x}", "SELECT * FROM main.sales.orders WHERE customer_id = ?", i, i * 1.5, i * 1000, i * 900,
             3, "someone@example.com", "wh-1", i] for i in range(100)]
    big = Reply(text="top", blocks=[Table(columns=[f"c{i}" for i in range(10)], rows=rows)])
    render: list[float] = []
    for _ in range(50):
        started = time.perf_counter()
        render_activity(big)
        render.append(time.perf_counter() - started)

    await runner.cleanup()
    await connector_runner.cleanup()
    await bot.close()

    ms = 1000.0
    print(f"machine: {platform.machine()} {os.cpu_count()} CPUs, {platform.python_implementation()} "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    print(f"baseline (bot.handle + render, in-process): p50 {statistics.median(baseline) * ms:.1f} ms, "
          f"p99 {pct(baseline, 0.99) * ms:.1f} ms")
    print(f"/api/messages, {messages} messages, {concurrency} at a time: p50 {statistics.median(latencies) * ms:.1f} ms, "
          f"p99 {pct(latencies, 0.99) * ms:.1f} ms, {messages / wall:.0f} messages/s, {replies} replies posted")
    print(f"render a 100x10 table card: p50 {statistics.median(render) * ms:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.concurrency))


if __name__ == "__main__":
    main()
