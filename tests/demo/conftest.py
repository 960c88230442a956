"""The generator's own small warehouse: 5,000 statements over 14 days, fixed seed, built once per session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from qopt.demo.generator import GenerationStats, generate

END = date(2026, 11, 20)
DAYS = 14
QUERIES = 5000
SEED = 11


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationStats]:
    path = tmp_path_factory.mktemp("demo-gen") / "warehouse.duckdb"
    stats = generate(path, days=DAYS, queries=QUERIES, seed=SEED, end=END)
    return path, stats


@pytest.fixture(scope="session")
def db(generated: tuple[Path, GenerationStats]) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(generated[0]), read_only=True)
    conn.execute("SET TimeZone = 'UTC'")
    yield conn
    conn.close()


def rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return conn.execute(sql, params or []).fetchall()
