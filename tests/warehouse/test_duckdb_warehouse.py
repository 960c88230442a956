"""The embedded warehouse's error paths, in-process and through `qopt sql` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from qopt.errors import UsageError, WarehouseMissing
from qopt.warehouse.duckdb import DuckDBWarehouse
from qopt.warehouse.schema import ddl

QOPT = Path(sys.executable).parent / "qopt"
ROWS = [("s1", "ana@x.com", 1500, datetime(2024, 3, 1, 10, tzinfo=timezone.utc)),
        ("s2", "bob@x.com", 250, datetime(2024, 3, 2, 11, tzinfo=timezone.utc))]


def make_warehouse(path: Path) -> Path:
    con = duckdb.connect(str(path))
    for statement in ddl():
        con.execute(statement)
    for sid, user, ms, start in ROWS:
        con.execute(
            "INSERT INTO query.history (statement_id, executed_by, total_duration_ms, start_time) VALUES (?, ?, ?, ?)",
            [sid, user, ms, start],
        )
    con.close()
    return path


def corrupt(path: Path) -> Path:
    path.write_bytes(os.urandom(64 * 1024))
    return path


def without_tables(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE something (x INTEGER)")
    con.close()
    return path


def _one_line_how_to_create(exc: BaseException) -> None:
    text = str(exc)
    assert "\n" not in text
    assert "qopt demo-data" in text


def test_missing_file(tmp_path):
    with pytest.raises(WarehouseMissing) as info:
        DuckDBWarehouse(tmp_path / "nope.duckdb")
    _one_line_how_to_create(info.value)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(WarehouseMissing) as info:
        DuckDBWarehouse(tmp_path)
    _one_line_how_to_create(info.value)


@pytest.mark.parametrize("make", [corrupt, without_tables, lambda p: (p.write_bytes(b""), p)[1]], ids=["random-bytes", "no-tables", "empty"])
def test_not_a_qopt_warehouse(tmp_path, make):
    path = make(tmp_path / "w.duckdb")
    with pytest.raises(WarehouseMissing) as info:
        DuckDBWarehouse(path)
    _one_line_how_to_create(info.value)


def test_missing_tables_are_named(tmp_path):
    path = make_warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE billing.usage")
    con.close()
    with pytest.raises(WarehouseMissing, match="billing.usage"):
        DuckDBWarehouse(path)


async def test_query_and_parameters(tmp_path):
    wh = DuckDBWarehouse(make_warehouse(tmp_path / "w.duckdb"))
    try:
        result = await wh.query(
            "SELECT statement_id, total_duration_ms FROM system.query.history WHERE total_duration_ms > :ms ORDER BY 1",
            {"ms": 1000, "unused": 1},
        )
        assert result.columns == ["statement_id", "total_duration_ms"]
        assert result.rows == [(r[0], r[2]) for r in ROWS if r[2] > 1000]
        await wh.ping()
    finally:
        await wh.close()


async def test_bad_sql_and_missing_parameter_are_usage_errors(tmp_path):
    wh = DuckDBWarehouse(make_warehouse(tmp_path / "w.duckdb"))
    try:
        for sql, params in [("SELECT nope FROM system.query.history", None), ("SELECT :x", None), ("SELEC", None)]:
            with pytest.raises(UsageError) as info:
                await wh.query(sql, params)
            assert "\n" not in str(info.value)
    finally:
        await wh.close()


# --- through the command line ------------------------------------------------------------------------------------


def qopt(tmp_path: Path, *args: str, duckdb_path: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QOPT_", "DATABRICKS_"))}
    env.update(QOPT_DATA_DIR=str(tmp_path / "data"), XDG_DATA_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path))
    if duckdb_path is not None:
        env["QOPT_DUCKDB_PATH"] = str(duckdb_path)
    return subprocess.run([str(QOPT), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("setup", ["missing", "corrupt", "no-tables"])
def test_cli_without_a_warehouse_exits_2_with_one_line(tmp_path, setup):
    path = None
    if setup == "corrupt":
        path = corrupt(tmp_path / "w.duckdb")
    elif setup == "no-tables":
        path = without_tables(tmp_path / "w.duckdb")
    done = qopt(tmp_path, "sql", "SELECT count(*) FROM system.query.history", duckdb_path=path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "qopt demo-data" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_cli_default_path_is_in_the_data_dir(tmp_path):
    done = qopt(tmp_path, "sql", "SELECT 1")
    assert done.returncode == 2
    assert str(tmp_path / "data" / "warehouse.duckdb") in done.stderr


def test_cli_sql_json(tmp_path):
    path = make_warehouse(tmp_path / "w.duckdb")
    done = qopt(
        tmp_path, "sql",
        "SELECT executed_by, total_duration_ms / 1000 AS secs, start_time FROM system.query.history ORDER BY executed_by",
        "--format", "json", duckdb_path=path,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc == {
        "columns": ["executed_by", "secs", "start_time"],
        "rows": [[user, ms / 1000, start.isoformat()] for _, user, ms, start in sorted(ROWS, key=lambda r: r[1])],
    }


def test_cli_bad_sql_exits_2(tmp_path):
    path = make_warehouse(tmp_path / "w.duckdb")
    done = qopt(tmp_path, "sql", "SELECT nope FROM system.query.history", "--format", "json", duckdb_path=path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and done.stdout == ""
