"""Benchmark: `qopt demo-data --queries 1000000` (target: under 60 s, peak memory under 2 GiB).

Runs the real command in a child process and reports its wall time, CPU time and peak RSS. The baseline of the
same run is DuckDB alone writing the same number of `query.history` rows (all 44 columns, text of a similar
length, structs) from `range()` into a fresh file: the floor for the storage part of the job.

    .venv/bin/python bench/bench_demo_data.py [--queries 1000000] [--days 90] [--keep FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from qopt.warehouse.schema import ddl


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
            f"load average {load:.1f} at start")


def run_generator(path: Path, queries: int, days: int) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of `qopt demo-data` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "qopt", "demo-data", "--path", str(path), "--queries", str(queries), "--days", str(days),
         "--end", "2026-11-20"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def run_baseline(path: Path, queries: int) -> float:
    """DuckDB alone: the same number of 44-column history rows from range(), into a fresh file."""
    start = time.perf_counter()
    conn = duckdb.connect(str(path))
    conn.execute("SET TimeZone = 'UTC'")
    for statement in ddl():
        conn.execute(statement)
    conn.execute(f"""
        INSERT INTO query.history BY NAME
        SELECT 'acct' AS account_id, CAST(i % 3 AS VARCHAR) AS workspace_id, CAST(uuid() AS VARCHAR) AS statement_id,
               'user' || (i % 40) || '@example.com' AS executed_by, CAST(uuid() AS VARCHAR) AS session_id,
               'FINISHED' AS execution_status,
               struct_pack(type := 'WAREHOUSE', cluster_id := CAST(NULL AS VARCHAR), warehouse_id := 'wh' || (i % 7)) AS compute,
               CAST(i % 40 AS VARCHAR) AS executed_by_user_id,
               'SELECT order_date, SUM(total_amount) AS revenue FROM main.sales.orders WHERE order_date >= ''' ||
                 CAST(DATE '2026-08-01' + CAST(i % 90 AS INTEGER) AS VARCHAR) || ''' GROUP BY order_date' AS statement_text,
               'SELECT' AS statement_type, i % 50 AS total_duration_ms, 0 AS waiting_for_compute_duration_ms,
               0 AS waiting_at_capacity_duration_ms, i % 40 AS execution_duration_ms, 5 AS compilation_duration_ms,
               i % 400 AS total_task_duration_ms, 5 AS result_fetch_duration_ms,
               make_timestamptz(1760000000000000 + i * 7000000) AS start_time,
               make_timestamptz(1760000000000000 + i * 7000000 + 50000) AS end_time,
               make_timestamptz(1760000000000000 + i * 7000000 + 50000) AS update_time,
               i % 100 AS read_files, i % 1000 AS pruned_files, i * 1000 AS read_rows, i % 100 AS produced_rows,
               i * 100000 AS read_bytes, CAST(i % 100 AS TINYINT) AS read_io_cache_percent, false AS from_result_cache,
               0 AS spilled_local_bytes, 0 AS written_bytes, i % 1000 AS shuffle_read_bytes,
               struct_pack(dashboard_id := CASE WHEN i % 2 = 0 THEN 'dash' END) AS query_source
        FROM range({queries}) AS r(i)
    """)
    conn.execute("CHECKPOINT")
    conn.close()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--keep", type=Path, help="write the generated warehouse here instead of a temporary file")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        target = args.keep or Path(tmp) / "demo.duckdb"
        wall, cpu, rss = run_generator(target, args.queries, args.days)
        size = target.stat().st_size / 2**20
        base = run_baseline(Path(tmp) / "baseline.duckdb", args.queries)
    print(f"qopt demo-data --queries {args.queries:,} --days {args.days}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
          f"peak RSS {rss:,.0f} MiB, file {size:,.0f} MiB")
    print(f"baseline, DuckDB alone writing {args.queries:,} history rows from range(): {base:.1f} s")
    print(f"ratio: {wall / base:.1f}x the baseline; target < 60 s and < 2048 MiB: "
          f"{'met' if wall < 60 and rss < 2048 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
