"""Fixtures every area's tests share."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

# The small fixed-seed demo warehouse: 4,000 statements over the 14 days ending 2026-11-20.
DEMO_END = date(2026, 11, 20)
DEMO_DAYS = 14
DEMO_QUERIES = 4000
DEMO_SEED = 7
# "Now" for tests that read the demo warehouse: midnight after its last day.
DEMO_NOW = datetime(2026, 11, 21, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def demo_warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo warehouse generated once per test session (read-only for tests: copy it to change it)."""
    from qopt.demo.generator import generate

    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    generate(path, days=DEMO_DAYS, queries=DEMO_QUERIES, seed=DEMO_SEED, end=DEMO_END)
    return path


@pytest.fixture
def raw(demo_warehouse_path: Path):
    """A plain read-only DuckDB connection to the demo warehouse, for independent calculations in tests."""
    import duckdb

    conn = duckdb.connect(str(demo_warehouse_path), read_only=True)
    conn.execute("SET TimeZone = 'UTC'")
    yield conn
    conn.close()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does lands in the developer's own data directory."""
    monkeypatch.setenv("QOPT_DATA_DIR", str(tmp_path / "qopt-data"))
