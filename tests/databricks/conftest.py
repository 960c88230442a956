"""Fixtures: a small DuckDB warehouse file, the Statement Execution emulator on 127.0.0.1, and settings for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from qopt.config import Settings, load_settings
from qopt.warehouse.databricks import DatabricksWarehouse
from qopt.warehouse.schema import ddl
from tests.databricks.emulator import TOKEN, WAREHOUSE_ID, Emulator

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
USERS = ["ana@example.com", "bob@example.com", "chen@example.com"]
N_QUERIES = 11


def query_rows() -> list[tuple]:
    """(statement_id, user, start, duration_ms, read_bytes, from_result_cache)."""
    return [
        (f"s{i:02d}", USERS[i % 3], T0 + timedelta(minutes=7 * i, milliseconds=123 * i), 1000 + 250 * i,
         10**i, i % 4 == 0)
        for i in range(N_QUERIES)
    ]


@pytest.fixture(autouse=True)
def _isolated_sdk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The SDK must not read a developer's ~/.databrickscfg or DATABRICKS_* variables."""
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-such-databrickscfg"))
    for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET",
                 "DATABRICKS_AUTH_TYPE", "DATABRICKS_WAREHOUSE_ID", "QOPT_WAREHOUSE", "QOPT_WAREHOUSE_ID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    for statement in ddl():
        con.execute(statement)
    for sid, user, start, ms, read_bytes, cached in query_rows():
        con.execute(
            "INSERT INTO query.history (statement_id, workspace_id, executed_by, execution_status, compute, start_time,"
            " end_time, total_duration_ms, read_bytes, from_result_cache, query_tags) VALUES"
            " (?, 'ws1', ?, 'FINISHED', {'type': 'WAREHOUSE', 'warehouse_id': 'wh1'}, ?, ?, ?, ?, ?, MAP {'team': 'bi'})",
            [sid, user, start, start + timedelta(milliseconds=ms), ms, read_bytes, cached],
        )
    con.execute(
        "INSERT INTO billing.usage (record_id, workspace_id, sku_name, cloud, usage_start_time, usage_end_time, usage_date,"
        " usage_unit, usage_quantity, usage_metadata, record_type) VALUES ('u1', 'ws1', 'SQL', 'AWS', ?, ?, ?, 'DBU', ?,"
        " {'warehouse_id': 'wh1'}, 'ORIGINAL')",
        [T0, T0 + timedelta(hours=1), T0.date(), Decimal("150.123456789012345678")],
    )
    con.close()
    return path


@pytest.fixture
async def emulator(warehouse_file: Path) -> AsyncIterator[Emulator]:
    emu = Emulator(warehouse_file, chunk_size=3)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
def make_settings(emulator: Emulator, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = dict(
            warehouse="databricks", databricks_host=emulator.host, databricks_token=TOKEN, warehouse_id=WAREHOUSE_ID,
            data_dir=tmp_path / "data", databricks_retry_timeout_seconds=5, query_timeout_seconds=30,
            state_url=f"sqlite:///{tmp_path / 'state.sqlite'}",
        )
        values.update(overrides)
        return load_settings(**values)

    return make


FAST = dict(poll_initial_seconds=0.01, poll_max_seconds=0.05, wait_timeout_seconds=0)


@pytest.fixture
async def make_warehouse(make_settings) -> AsyncIterator[Callable[..., DatabricksWarehouse]]:
    made: list[DatabricksWarehouse] = []

    def make(**overrides: object) -> DatabricksWarehouse:
        wh = DatabricksWarehouse.from_settings(make_settings(**overrides), **FAST)
        made.append(wh)
        return wh

    yield make
    for wh in made:
        await wh.close()


@pytest.fixture
async def warehouse(make_warehouse) -> DatabricksWarehouse:
    return make_warehouse()
