"""Benchmark: what the policy costs per chat message.

Measures, for N sequential `help` messages (no warehouse work, so the policy's share is visible):
- baseline: the router without the policy gate and audit observer (same bot, same run),
- with the gate (access decision, two token buckets) and the audit trail (one INSERT into SQLite, one log line),
- list-parameter expansion of the largest query (`top`, with the attribution CTEs): first call (sqlglot parse and
  rewrite) and cached calls.

    .venv/bin/python bench/bench_policy.py [--messages 500]
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

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from qopt.app import Bot  # noqa: E402
from qopt.bot.request import Identity, Place  # noqa: E402
from qopt.config import load_settings  # noqa: E402
from qopt.queries import load  # noqa: E402
from qopt.state import open_state  # noqa: E402
from qopt.warehouse import lists  # noqa: E402
from qopt.warehouse.duckdb import DuckDBWarehouse  # noqa: E402

USER = Identity(user_id="U1", email="ana@example.com")
PLACE = Place(platform="slack", team_id="T1", channel_id="C1", is_dm=False)


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def timed(bot: Bot, messages: int) -> list[float]:
    out = []
    for _ in range(messages):
        started = time.perf_counter()
        reply = await bot.handle("help", USER, PLACE)
        out.append((time.perf_counter() - started) * 1000)
        assert reply.ok, reply.text
    return out


async def run(messages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=tmp, workspace_map="slack:T1=1,2,3", user_requests_per_minute=0,
                                 channel_requests_per_minute=0)
        bot = Bot(settings, warehouse=DuckDBWarehouse.from_connection(duckdb.connect()),
                  state=open_state(f"sqlite:///{Path(tmp) / 'state.sqlite'}"))
        gates, observers = list(bot.router.gates), list(bot.router.observers)
        await timed(bot, 20)  # warm up: state store opened, migrations applied
        with_policy = await timed(bot, messages)
        bot.router.gates.clear()
        bot.router.observers.clear()
        baseline = await timed(bot, messages)
        bot.router.gates[:], bot.router.observers[:] = gates, observers
        (count,) = (await bot.services.state.fetch("SELECT COUNT(*) AS n FROM qopt_audit"))[0].values()
        await bot.close()
    sql = load("top")
    lists._list_names.cache_clear()
    lists._rewrite.cache_clear()
    started = time.perf_counter()
    lists.expand_lists(sql, {"workspaces": ["1", "2", "3"]})
    first = (time.perf_counter() - started) * 1000
    cached = []
    for _ in range(1000):
        started = time.perf_counter()
        lists.expand_lists(sql, {"workspaces": ["1", "2", "3"]})
        cached.append((time.perf_counter() - started) * 1000)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"messages: {messages} sequential `help` in a Slack channel; audit rows written: {count}")
    for name, samples in (("baseline (no policy)", baseline), ("with policy + audit", with_policy)):
        print(f"{name:22s} p50 {statistics.median(samples):6.2f} ms  p99 {pct(samples, 0.99):6.2f} ms")
    print(f"overhead p50: {statistics.median(with_policy) - statistics.median(baseline):.2f} ms per message")
    print(f"expand_lists(top.sql): first {first:.1f} ms, cached p50 {statistics.median(cached) * 1000:.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    asyncio.run(run(parser.parse_args().messages))


if __name__ == "__main__":
    main()
