"""The generator as a whole: determinism, the atomic write, bad arguments and the command line."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from qopt.demo.generator import generate
from qopt.errors import UsageError
from qopt.warehouse.schema import TABLES

END = date(2026, 11, 20)


def _digest(path: Path) -> dict[str, str]:
    """A hash of every table's rows in a canonical order."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in [*TABLES, "sales.orders", "web.events"]:
            out[table] = conn.execute(f"""
                SELECT count(*) || ':' || coalesce(md5(string_agg(h, ',' ORDER BY h)), '')
                FROM (SELECT md5(CAST(t AS VARCHAR)) AS h FROM {table} AS t)
            """).fetchone()[0]
        return out
    finally:
        conn.close()


def test_same_seed_and_end_give_the_same_data(tmp_path):
    a, b, c = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    generate(a, days=4, queries=1500, seed=3, end=END)
    generate(b, days=4, queries=1500, seed=3, end=END)
    generate(c, days=4, queries=1500, seed=4, end=END)
    first, second, other = _digest(a), _digest(b), _digest(c)
    assert first == second
    assert first["query.history"] != other["query.history"]
    assert all(not v.startswith("0:") for k, v in first.items())


def test_the_window_is_whole_days_ending_with_end(tmp_path):
    path = tmp_path / "w.duckdb"
    stats = generate(path, days=3, queries=300, seed=1, end=END)
    assert stats.statements == 300 and stats.start == date(2026, 11, 18) and str(stats)
    conn = duckdb.connect(str(path), read_only=True)
    conn.execute("SET TimeZone = 'UTC'")
    first, last = conn.execute("SELECT min(start_time), max(start_time) FROM query.history").fetchone()
    assert first.date() >= date(2026, 11, 18) and last.date() <= END


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failing_generation_leaves_the_old_warehouse_intact(tmp_path):
    path = tmp_path / "data" / "warehouse.duckdb"
    generate(path, days=2, queries=200, seed=1, end=END)
    before = _fingerprint(path)
    messages = []

    def failing_progress(message: str) -> None:  # a bad argument: a callback that breaks mid-way
        messages.append(message)
        if len(messages) == 2:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        generate(path, days=5, queries=2000, seed=2, end=END, progress=failing_progress)
    assert _fingerprint(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["warehouse.duckdb"]  # no temporary left behind
    assert _digest(path)["query.history"].startswith("200:")


def test_a_directory_is_not_a_warehouse_path(tmp_path):
    with pytest.raises(UsageError, match="directory"):
        generate(tmp_path, days=1, queries=10, seed=1, end=END)


def test_parent_directories_are_created(tmp_path):
    path = tmp_path / "a" / "b" / "w.duckdb"
    generate(path, days=1, queries=0, seed=1, end=END)
    assert path.is_file()


@pytest.mark.parametrize("kwargs", [{"days": 0}, {"queries": -1}, {"days": 100_000}])
def test_bad_arguments_are_usage_errors(tmp_path, kwargs):
    with pytest.raises(UsageError):
        generate(tmp_path / "w.duckdb", end=END, **{"days": 2, "queries": 10, **kwargs})
    assert not (tmp_path / "w.duckdb").exists()


def _qopt(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qopt", *args], capture_output=True, text=True, env=env, timeout=120)


def test_command_line(tmp_path):
    path = tmp_path / "cli" / "warehouse.duckdb"
    env = {**os.environ, "QOPT_DUCKDB_PATH": str(path), "QOPT_DATA_DIR": str(tmp_path / "data")}
    made = _qopt(["demo-data", "--path", str(path), "--days", "3", "--queries", "500", "--end", "2026-11-20"], env)
    assert made.returncode == 0, made.stderr
    assert "500 statements" in made.stderr and made.stdout == ""
    counted = _qopt(["sql", "SELECT count(*) FROM system.query.history", "--format", "json"], env)
    assert counted.returncode == 0, counted.stderr
    assert '"rows": [[500]]' in counted.stdout
    bad = _qopt(["demo-data", "--path", str(path), "--days", "0"], env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    kept = _qopt(["demo-data", "--if-missing"], env)
    assert kept.returncode == 0 and "existing" in kept.stderr
