"""`generate()`: write the embedded warehouse (all system tables plus the demo's own tables) in one go.

The file is written beside `path` under a temporary name and renamed over `path` only at the very end, so a
failing or interrupted generation never destroys an existing warehouse. The same seed and end date give the
same data. The window is `days` whole UTC days ending with the day `end`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from qopt.demo import billing, records
from qopt.demo.tables import create_user_tables
from qopt.demo.topology import build_topology
from qopt.demo.workload import Simulation
from qopt.demo.writer import HistoryLoader, create_dimensions, insert_json
from qopt.errors import UsageError
from qopt.warehouse.schema import ddl

Progress = Callable[[str], None]
MAX_DAYS = 3650


@dataclass(frozen=True)
class GenerationStats:
    statements: int
    days: int
    start: date
    end: date
    workspaces: int
    warehouses: int
    usage_rows: int
    warehouse_events: int
    job_runs: int
    cache_hits: int
    failed: int
    canceled: int
    seconds: float

    def __str__(self) -> str:
        return (f"{self.statements:,} statements over {self.days} days ({self.start} to {self.end}), "
                f"{self.warehouses} warehouses in {self.workspaces} workspaces, {self.usage_rows:,} billing rows, "
                f"{self.job_runs:,} job runs ({self.seconds:.1f} s)")


def window(end: date, days: int) -> tuple[int, int]:
    """[start, end) in epoch milliseconds: `days` whole UTC days ending with the day `end`."""
    stop = datetime(end.year, end.month, end.day, tzinfo=timezone.utc) + timedelta(days=1)
    start = stop - timedelta(days=days)
    return int(start.timestamp() * 1000), int(stop.timestamp() * 1000)


def generate(path: Path, *, days: int = 90, queries: int = 100_000, seed: int = 42, end: date,
             progress: Progress | None = None) -> GenerationStats:
    """Write the demo warehouse to `path` (atomically replacing any file there) and return what was written."""
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise UsageError(f"days must be a whole number from 1 to {MAX_DAYS}.")
    if not isinstance(queries, int) or queries < 0:
        raise UsageError("queries must be a whole number of at least 0.")
    say = progress or (lambda _message: None)
    began = time.perf_counter()
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a directory: give the path of the DuckDB file to write.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {path.parent}: {exc.strerror or exc}.") from None
    try:
        start_ms, end_ms = window(end, days)
    except (OverflowError, ValueError):
        raise UsageError(f"the window of {days} days ending {end} is outside the calendar.") from None
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".stage", dir=path.parent))
    except OSError as exc:
        raise UsageError(f"cannot write in {path.parent}: {exc.strerror or exc}.") from None
    tmp = stage / "warehouse.duckdb"
    try:
        conn = duckdb.connect(str(tmp))
        try:
            stats = _fill(conn, stage, start_ms, end_ms, days=days, queries=queries, seed=seed, say=say)
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}.") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    first = datetime.fromtimestamp(start_ms / 1000, tz=timezone.utc).date()
    return GenerationStats(**stats, days=days, start=first, end=end, seconds=time.perf_counter() - began)


def _fill(conn: duckdb.DuckDBPyConnection, stage: Path, start_ms: int, end_ms: int, *, days: int, queries: int,
          seed: int, say: Progress) -> dict:
    conn.execute("SET TimeZone = 'UTC'")
    conn.execute("SET preserve_insertion_order = false")
    conn.execute("SET enable_progress_bar = false")
    for statement in ddl():
        conn.execute(statement)
    create_user_tables(conn)
    topo = build_topology(start_ms, end_ms)
    say(f"Simulating {queries:,} statements over {days} days on {len(topo.warehouses)} warehouses...")
    create_dimensions(conn, topo)
    loader = HistoryLoader(conn, seed)

    def sink(rows: list[tuple]) -> None:
        loader.write(rows)
        if queries >= 100_000:
            say(f"  {loader.rows:,} statements")

    try:
        result = Simulation(topo, queries=queries, seed=seed, sink=sink).run()
    finally:
        loader.close()
    events = {i: records.sorted_events(e) for i, e in result.events.items()}
    say("Writing billing, compute and job tables...")
    compute_runs = records.compute_job_runs(topo, seed)
    usage = insert_json(conn, "billing.usage", billing.usage_rows(topo, events, compute_runs, seed), stage / "u.jsonl")
    insert_json(conn, "billing.list_prices", billing.list_prices(topo), stage / "p.jsonl")
    insert_json(conn, "compute.warehouses", records.warehouse_rows(topo), stage / "w.jsonl")
    n_events = insert_json(conn, "compute.warehouse_events", records.event_rows(topo, events), stage / "e.jsonl")
    insert_json(conn, "compute.clusters", records.cluster_rows(topo, compute_runs), stage / "c.jsonl")
    insert_json(conn, "lakeflow.jobs", records.job_rows(topo), stage / "j.jsonl")
    runs = insert_json(conn, "lakeflow.job_run_timeline", records.timeline_rows(topo, result.job_runs, compute_runs),
                       stage / "r.jsonl")
    return {
        "statements": result.statements, "workspaces": len(topo.workspaces), "warehouses": len(topo.warehouses),
        "usage_rows": usage, "warehouse_events": n_events, "job_runs": runs, "cache_hits": result.cache_hits,
        "failed": result.failed, "canceled": result.canceled,
    }
