"""Benchmark: `top` and `cost` over a 1,000,000-query demo warehouse, in-process, against DuckDB alone.

For each message the skill's p50 over N runs is compared with the p50 of DuckDB running the very same
transpiled statements directly (no router, no transpile, no reply building) — the baseline of the same run.

    .venv/bin/python bench/bench_skills.py [--queries 1000000] [--runs 15] [--path FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from qopt.app import Bot
from qopt.bot.request import Identity, Place
from qopt.config import load_settings
from qopt.demo.generator import generate
from qopt.warehouse.dialect import to_duckdb
from qopt.warehouse.duckdb import DuckDBWarehouse
from qopt.warehouse.lists import expand_lists

END = date(2026, 11, 20)
MESSAGES = ["top --days 7 --limit 10", "cost --days 7", "cost --days 7 --by user"]


class RecordingWarehouse(DuckDBWarehouse):
    """The embedded warehouse, remembering which statements (DuckDB SQL + parameters) a message ran."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.log: list[tuple[str, dict]] = []

    def execute(self, sql, params=None):
        expanded, bound = expand_lists(sql, params)  # exactly what DuckDBWarehouse binds
        self.log.append((to_duckdb(expanded), bound))
        return super().execute(sql, params)


def _p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def _measure(bot: Bot, warehouse: RecordingWarehouse, text: str, runs: int) -> tuple[float, float, float, float]:
    """p50 wall and CPU milliseconds of the message through the bot, and of DuckDB alone on its statements."""
    # A different person and channel each run, so the bot's own rate limits never interfere.
    def who(i: int) -> tuple[Identity, Place]:
        return Identity(user_id=f"bench-{i}"), Place(channel_id=f"bench-{i}")

    await bot.handle(text, *who(-1))  # warm caches (transpile, fingerprints)
    skill_times, duck_times, skill_cpu, duck_cpu = [], [], [], []
    for i in range(runs):
        warehouse.log.clear()
        started, cpu = time.perf_counter(), time.process_time()
        reply = await bot.handle(text, *who(i))
        skill_times.append(time.perf_counter() - started)
        skill_cpu.append(time.process_time() - cpu)
        assert reply.ok, reply.text
        statements = list(warehouse.log)
        conn = duckdb.connect(str(warehouse.path), read_only=True)
        conn.execute("SET TimeZone = 'UTC'")
        started, cpu = time.perf_counter(), time.process_time()
        for sql, params in statements:  # the same statements, one after another, straight on DuckDB
            names = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))
            conn.execute(sql, {k: v for k, v in params.items() if k in names}).fetchall()
        duck_times.append(time.perf_counter() - started)
        duck_cpu.append(time.process_time() - cpu)
        conn.close()
    return _p50(skill_times), _p50(duck_times), _p50(skill_cpu), _p50(duck_cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--path", type=Path, help="an existing demo warehouse (generated when missing)")
    args = parser.parse_args()
    path = args.path or Path(tempfile.gettempdir()) / f"qopt-bench-{args.queries}.duckdb"
    if not path.is_file():
        print(f"generating {args.queries:,} queries into {path.name} …", file=sys.stderr)
        generate(path, days=90, queries=args.queries, seed=42, end=END)
    warehouse = RecordingWarehouse(path)
    now = datetime.combine(END + timedelta(days=1), datetime.min.time(), timezone.utc)
    os.environ.setdefault("QOPT_DATA_DIR", tempfile.mkdtemp(prefix="qopt-bench-"))
    bot = Bot(load_settings(), warehouse=warehouse, clock=lambda: now)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or platform.platform()}")
    print(f"warehouse: {args.queries:,} queries, 90 days; p50 over {args.runs} runs each")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print(f"{'message':28} {'qopt wall':>10} {'duckdb wall':>12} {'ratio':>6} {'qopt cpu':>9} {'duckdb cpu':>11} {'ratio':>6}")
    for text in MESSAGES:
        ours, base, ours_cpu, base_cpu = asyncio.run(_measure(bot, warehouse, text, args.runs))
        print(f"{text:28} {ours:10.1f} {base:12.1f} {ours / base:6.2f} {ours_cpu:9.1f} {base_cpu:11.1f} {ours_cpu / base_cpu:6.2f}")
    print("(p50 milliseconds; cpu = process CPU time of all threads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
