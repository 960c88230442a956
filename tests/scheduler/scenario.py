"""A tiny warehouse with hand-checkable numbers for digests and alerts (all times UTC, price $1 per DBU).

Billing: w1 (workspace ws1) bills 100 DBU at 08:00 every day from 2026-03-01 to 03-08, 150 on 03-09 and 120 on
03-10; w2 (workspace ws2) bills 30 on 03-09. So 03-09 costs 180 (+80% on the 100 of every day before).
Statements:
- 03-09 on w1 (up 08:00-09:00): two runs of one recurring query by ana, 08:00-08:20 (task 20 min) and
  08:30-08:40 (task 10 min): busy 30 of 60 min → 75 attributed (50 + 25), 75 idle; w2 has no events: 30 idle.
- 03-10 on w1 (up 08:00-09:00): `big` by ana 08:00-08:30 (task 30 min) and `small` by bob 08:40-08:45 (task
  5 min): busy 35 min → 120 × 35/60 = 70 attributed (60 to big, 10 to small), 50 idle; three FAILED statements
  by bob at 09:00-09:02 that never executed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import duckdb

from qopt.warehouse.duckdb import DuckDBWarehouse
from qopt.warehouse.schema import ddl

SKU = "PREMIUM_SERVERLESS_SQL_COMPUTE_US_EAST_N_VIRGINIA"
TODAY = date(2026, 3, 10)
YESTERDAY = date(2026, 3, 9)
ANA, BOB = "ana@example.com", "bob@example.com"
RECURRING_SQL = "SELECT region, sum(amount) FROM sales.orders WHERE order_date = '{day}' GROUP BY region"


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


def _usage(conn, wh: str, ws: str, day: date, dbus: float) -> None:
    start = utc(day, 8)
    conn.execute(
        "INSERT INTO billing.usage (record_id, workspace_id, sku_name, cloud, usage_start_time, usage_end_time,"
        " usage_date, usage_unit, usage_quantity, usage_metadata, identity_metadata, record_type,"
        " billing_origin_product) VALUES (gen_random_uuid()::VARCHAR, ?, ?, 'AWS', ?, ?, ?, 'DBU', ?,"
        " {'warehouse_id': ?}, {'run_as': NULL, 'created_by': NULL, 'owned_by': 'admin@example.com', 'run_by': NULL},"
        " 'ORIGINAL', 'SQL')",
        [ws, SKU, start, start + timedelta(hours=1), day, dbus, wh],
    )


def _event(conn, wh: str, when: datetime, kind: str) -> None:
    conn.execute(
        "INSERT INTO compute.warehouse_events (workspace_id, warehouse_id, event_type, cluster_count, event_time)"
        " VALUES ('ws1', ?, ?, 1, ?)",
        [wh, kind, when],
    )


def _statement(conn, sid: str, text: str, user: str, start: datetime, exec_min: float, task_min: float,
               status: str = "FINISHED") -> None:
    exec_ms = int(exec_min * 60_000)
    total = max(exec_ms, 1_000)
    conn.execute(
        "INSERT INTO query.history (statement_id, workspace_id, executed_by, statement_text, execution_status,"
        " compute, start_time, end_time, total_duration_ms, waiting_for_compute_duration_ms,"
        " waiting_at_capacity_duration_ms, compilation_duration_ms, execution_duration_ms,"
        " result_fetch_duration_ms, total_task_duration_ms, read_bytes, spilled_local_bytes)"
        " VALUES (?, 'ws1', ?, ?, ?, {'type': 'WAREHOUSE', 'cluster_id': NULL, 'warehouse_id': 'w1'},"
        " ?, ?, ?, 0, 0, 0, ?, 0, ?, 1000, 0)",
        [sid, user, text, status, start, start + timedelta(milliseconds=total), total, exec_ms,
         int(task_min * 60_000)],
    )


def build(path: str = ":memory:") -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(path)
    for statement in ddl():
        conn.execute(statement)
    conn.execute(
        "INSERT INTO billing.list_prices (sku_name, cloud, currency_code, usage_unit, price_start_time, pricing)"
        " VALUES (?, 'AWS', 'USD', 'DBU', '2020-01-01', {'default': 1.0})",
        [SKU],
    )
    conn.execute(
        "INSERT INTO compute.warehouses (warehouse_id, workspace_id, warehouse_name, warehouse_type, warehouse_size,"
        " change_time) VALUES ('w1', 'ws1', 'Sales WH', 'PRO', 'Small', '2026-01-01'),"
        " ('w2', 'ws2', 'Ops WH', 'PRO', 'Small', '2026-01-01')"
    )
    for offset in range(8):
        _usage(conn, "w1", "ws1", date(2026, 3, 1) + timedelta(days=offset), 100)
    _usage(conn, "w1", "ws1", YESTERDAY, 150)
    _usage(conn, "w2", "ws2", YESTERDAY, 30)
    _usage(conn, "w1", "ws1", TODAY, 120)
    for day in (YESTERDAY, TODAY):
        _event(conn, "w1", utc(day, 8), "STARTING")
        _event(conn, "w1", utc(day, 9), "STOPPED")
    _statement(conn, "y1", RECURRING_SQL.format(day="2026-03-01"), ANA, utc(YESTERDAY, 8, 0), 20, 20)
    _statement(conn, "y2", RECURRING_SQL.format(day="2026-03-02"), ANA, utc(YESTERDAY, 8, 30), 10, 10)
    _statement(conn, "big", "SELECT * FROM sales.orders o JOIN sales.customers c ON o.cid = c.id WHERE c.tier = 'gold'",
               ANA, utc(TODAY, 8, 0), 30, 30)
    _statement(conn, "small", "SELECT count(*) FROM sales.customers WHERE id = 42", BOB, utc(TODAY, 8, 40), 5, 5)
    for i in range(3):
        _statement(conn, f"fail{i}", f"SELECT * FROM missing_table_{i}", BOB, utc(TODAY, 9, i), 0, 0, "FAILED")
    return conn


def warehouse() -> DuckDBWarehouse:
    return DuckDBWarehouse.from_connection(build())
