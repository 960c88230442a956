"""Cost attribution: attributed + idle = billed, and each statement's share, against an independent oracle."""

from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from qopt.queries import load
from qopt.warehouse.duckdb import DuckDBWarehouse
from qopt.warehouse.schema import ddl
from qopt.workload import Window
from tests.costs import attribution_oracle as oracle

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # a Monday, 10:00 UTC
PRICE = 0.70


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _query(conn, sid, wh, start_min, exec_min, task_min, *, wait_min=0.0, fetch_ms=0, user="ana@example.com"):
    """A statement whose execution runs [start + wait, start + wait + exec] (minutes from T0)."""
    wait_ms, exec_ms = int(wait_min * 60_000), int(exec_min * 60_000)
    total = wait_ms + exec_ms + fetch_ms
    conn.execute(
        "INSERT INTO query.history (statement_id, workspace_id, executed_by, statement_text, execution_status,"
        " compute, start_time, end_time, total_duration_ms, waiting_for_compute_duration_ms,"
        " waiting_at_capacity_duration_ms, compilation_duration_ms, execution_duration_ms,"
        " result_fetch_duration_ms, total_task_duration_ms)"
        " VALUES (?, 'ws1', ?, 'SELECT 1', 'FINISHED', {'type': 'WAREHOUSE', 'cluster_id': NULL, 'warehouse_id': ?},"
        " ?, ?, ?, ?, 0, 0, ?, ?, ?)",
        [sid, user, wh, at(start_min), at(start_min) + timedelta(milliseconds=total), total, wait_ms, exec_ms,
         fetch_ms, int(task_min * 60_000)],
    )


def _usage(conn, wh, hour, dbus, record_type="ORIGINAL", sku="PREMIUM_SERVERLESS_SQL_COMPUTE_US_EAST_N_VIRGINIA"):
    start = T0 + timedelta(hours=hour)
    conn.execute(
        "INSERT INTO billing.usage (record_id, workspace_id, sku_name, cloud, usage_start_time, usage_end_time,"
        " usage_date, usage_unit, usage_quantity, usage_metadata, record_type, billing_origin_product)"
        " VALUES (gen_random_uuid()::VARCHAR, 'ws1', ?, 'AWS', ?, ?, ?, 'DBU', ?,"
        " {'warehouse_id': ?}, ?, 'SQL')",
        [sku, start, start + timedelta(hours=1), start.date(), dbus, wh, record_type],
    )


def _event(conn, wh, minutes, kind):
    conn.execute(
        "INSERT INTO compute.warehouse_events (workspace_id, warehouse_id, event_type, cluster_count, event_time)"
        " VALUES ('ws1', ?, ?, 1, ?)",
        [wh, kind, at(minutes)],
    )


def build_scenario() -> duckdb.DuckDBPyConnection:
    """Two warehouses over two hours with hand-checkable numbers (see test_hand_computed_split)."""
    conn = duckdb.connect()
    for statement in ddl():
        conn.execute(statement)
    conn.execute(
        "INSERT INTO billing.list_prices (sku_name, cloud, currency_code, usage_unit, price_start_time, pricing)"
        " VALUES ('PREMIUM_SERVERLESS_SQL_COMPUTE_US_EAST_N_VIRGINIA', 'AWS', 'USD', 'DBU', '2020-01-01', {'default': ?})",
        [PRICE],
    )
    # Warehouse w1 is up 10:00-11:30. Queries: a 10:05-10:20, b 10:10-10:40 (overlapping), c 10:50-11:10.
    _event(conn, "w1", 0, "STARTING")
    _event(conn, "w1", 1, "RUNNING")
    _event(conn, "w1", 90, "STOPPING")
    _event(conn, "w1", 90, "STOPPED")
    _query(conn, "a", "w1", 5, 15, 30)
    _query(conn, "b", "w1", 10, 30, 10)
    _query(conn, "c", "w1", 50, 20, 20, wait_min=0)
    _usage(conn, "w1", 0, 12.0)
    _usage(conn, "w1", 1, 6.6, "ORIGINAL")  # corrected below: the true quantity is 6.0
    _usage(conn, "w1", 1, -6.6, "RETRACTION")
    _usage(conn, "w1", 1, 6.0, "RESTATEMENT")
    # Warehouse w2 has billing but no events and no queries: the whole hour is idle.
    _usage(conn, "w2", 0, 4.0)
    return conn


@pytest.fixture
def scenario():
    conn = build_scenario()
    yield conn
    conn.close()


async def _statement_costs(conn, window):
    warehouse = DuckDBWarehouse.from_connection(conn)
    result = await warehouse.query(load("attribution"), window.params())
    return {sid: cost for sid, cost in result.rows}


async def _hour_costs(conn, window):
    warehouse = DuckDBWarehouse.from_connection(conn)
    return (await warehouse.query(load("warehouse_hours"), window.params())).dicts()


async def test_hand_computed_split(scenario):
    window = Window(T0, T0 + timedelta(hours=2))
    costs = await _statement_costs(scenario, window)
    # Hour 10: billed 12 DBU × 0.70 = 8.40; up 60 min; busy = union(05-20, 10-40, 50-60) = 35 + 10 = 45 min.
    # Attributed 8.40 × 45/60 = 6.30 split by task time in the hour: a 30, b 10, c 10 (half of its 20).
    hour10 = 8.40 * 45 / 60
    # Hour 11: billed 6.0 DBU × 0.70 = 4.20; up 30 min; busy = 11:00-11:10 = 10 min → 4.20 × 10/30 = 1.40 to c.
    hour11 = 4.20 * 10 / 30
    assert costs["a"] == pytest.approx(hour10 * 30 / 50)
    assert costs["b"] == pytest.approx(hour10 * 10 / 50)
    assert costs["c"] == pytest.approx(hour10 * 10 / 50 + hour11)
    hours = {r["warehouse_id"]: r for r in await _hour_costs(scenario, window)}
    assert hours["w1"]["billed_usd"] == pytest.approx(8.40 + 4.20)
    assert hours["w1"]["idle_usd"] == pytest.approx(8.40 - hour10 + 4.20 - hour11)
    assert hours["w2"]["idle_usd"] == pytest.approx(4.0 * PRICE)
    assert hours["w2"]["attributed_usd"] == pytest.approx(0.0)


async def test_matches_the_oracle_and_adds_up(scenario):
    window = Window(T0, T0 + timedelta(hours=2))
    costs = await _statement_costs(scenario, window)
    expected = oracle.compute(scenario, window.start, window.end)
    assert costs.keys() == {k for k, v in expected.statement.items() if v > 0}
    for sid, cost in expected.statement.items():
        assert costs[sid] == pytest.approx(cost)
    hours = await _hour_costs(scenario, window)
    billed = sum(r["billed_usd"] for r in hours)
    assert billed == pytest.approx(expected.total_billed)
    assert sum(costs.values()) + sum(r["idle_usd"] for r in hours) == pytest.approx(billed)


async def test_window_cuts_at_hour_boundaries(scenario):
    # Only hour 11 is in the window: c keeps only its 11:00-11:10 part; a and b cost nothing.
    window = Window(T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    costs = await _statement_costs(scenario, window)
    assert set(costs) == {"c"}
    assert costs["c"] == pytest.approx(4.20 * 10 / 30)
