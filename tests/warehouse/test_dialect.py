"""Every Databricks SQL feature of reference/system-tables.md, run on DuckDB through `to_duckdb`.

Each test writes Databricks SQL, runs it on a real DuckDB connection holding the real schema and a handful of
rows, and checks the values against a calculation done here in Python from the same rows.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

import duckdb
import pytest

from qopt.errors import QoptError, UsageError
from qopt.warehouse.dialect import TRANSFORMS, spark_decimal_product, to_duckdb
from qopt.warehouse.duckdb import DuckDBWarehouse
from qopt.warehouse.schema import ddl

UTC = timezone.utc


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# query.history rows: (statement_id, workspace, user, status, warehouse, start, end, task_ms, text, tags, job_id)
QUERIES = [
    ("q1", "ws1", "ana@x.com", "FINISHED", "wh1", "2024-03-01 10:00:00", "2024-03-01 10:59:30", 100, "SELECT * FROM t WHERE id = 42", {"team": "bi", "skill": "top"}, "j1"),
    ("q2", "ws1", "bob@x.com", "FAILED", "wh1", "2024-03-01 10:59:00", "2024-03-01 11:01:00", 200, "SELECT a FROM t WHERE b = 'x' AND c = 7", {}, None),
    ("q3", "ws2", "ana@x.com", "FINISHED", "wh2", "2024-03-02 08:00:00", "2024-03-02 08:00:05", 300, "select 1", None, None),
    ("q4", "ws2", None, "CANCELED", "wh2", "2024-03-02 09:30:00", "2024-03-02 12:15:00", 400, "SELECT 12, 345", {"team": "etl"}, "j2"),
    ("q5", "ws1", "ana@x.com", "FINISHED", "wh1", "2024-03-03 23:59:59", "2024-03-04 00:00:01", 1000, "SELECT 9", {"team": "bi"}, None),
]
# billing.usage rows: (record_id, workspace, sku, warehouse, start hour, quantity, tags, run_as)
USAGE = [
    ("u1", "ws1", "PREMIUM_SQL_PRO_COMPUTE", "wh1", "2024-03-01 10:00:00", Decimal("150.500000000000000001"), {"team": "bi"}, None),
    ("u2", "ws1", "PREMIUM_SQL_PRO_COMPUTE", "wh1", "2024-03-01 11:00:00", Decimal("99.123456789012345678"), {"team": "bi", "env": "prod"}, "svc"),
    ("u3", "ws2", "PREMIUM_SERVERLESS_SQL_COMPUTE", "wh2", "2024-03-02 08:00:00", Decimal("240"), {}, None),
    ("u4", "ws2", "PREMIUM_SERVERLESS_SQL_COMPUTE", "wh2", "2024-03-20 09:00:00", Decimal("12.25"), None, "svc"),
]
# billing.list_prices rows: (sku, start, end, price); the serverless price changes on 2024-03-15
PRICES = [
    ("PREMIUM_SQL_PRO_COMPUTE", "2023-01-01 00:00:00", None, Decimal("0.700000000000000000")),
    ("PREMIUM_SERVERLESS_SQL_COMPUTE", "2023-01-01 00:00:00", "2024-03-15 00:00:00", Decimal("0.700000000000000000")),
    ("PREMIUM_SERVERLESS_SQL_COMPUTE", "2024-03-15 00:00:00", None, Decimal("0.550000000000000000")),
]
RUNS = [("r1", "j1", ["c1", "c2"]), ("r2", "j1", []), ("r3", "j2", None), ("r4", "j2", ["c3"])]


def _map(value: dict | None) -> dict | None:
    return None if value is None else {"key": list(value), "value": list(value.values())}


@pytest.fixture(scope="module")
def conn() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    for statement in ddl():
        con.execute(statement)
    for sid, ws, user, status, wh, start, end, task, text, tags, job in QUERIES:
        s, e = ts(start), ts(end)
        con.execute(
            "INSERT INTO query.history (statement_id, workspace_id, executed_by, execution_status, compute,"
            " start_time, end_time, total_duration_ms, total_task_duration_ms, statement_text, query_tags,"
            " query_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [sid, ws, user, status, {"type": "WAREHOUSE", "warehouse_id": wh}, s, e,
             int((e - s).total_seconds() * 1000), task, text, _map(tags), {"job_info": {"job_id": job}}],
        )
    for rid, ws, sku, wh, start, qty, tags, run_as in USAGE:
        s = ts(start)
        con.execute(
            "INSERT INTO billing.usage (record_id, workspace_id, sku_name, cloud, usage_start_time, usage_end_time,"
            " usage_date, custom_tags, usage_unit, usage_quantity, usage_metadata, identity_metadata, record_type)"
            " VALUES (?, ?, ?, 'AWS', ?, ?, ?, ?, 'DBU', ?, ?, ?, 'ORIGINAL')",
            [rid, ws, sku, s, s + timedelta(hours=1), s.date(), _map(tags), qty, {"warehouse_id": wh}, {"run_as": run_as}],
        )
    for sku, start, end, price in PRICES:
        con.execute(
            "INSERT INTO billing.list_prices (sku_name, cloud, currency_code, usage_unit, price_start_time,"
            " price_end_time, pricing) VALUES (?, 'AWS', 'USD', 'DBU', ?, ?, ?)",
            [sku, ts(start), ts(end) if end else None, {"default": price, "promotional": {"default": price}}],
        )
    for run_id, job, computes in RUNS:
        con.execute(
            "INSERT INTO lakeflow.job_run_timeline (run_id, job_id, compute_ids) VALUES (?, ?, ?)", [run_id, job, computes]
        )
    con.execute("CREATE SCHEMA sales")
    con.execute("CREATE TABLE sales.orders (id INTEGER, amount DECIMAL(10,2))")
    con.execute("INSERT INTO sales.orders VALUES (1, 10.50), (2, 4.25)")
    yield con
    con.close()


@pytest.fixture(scope="module")
def wh(conn) -> DuckDBWarehouse:
    return DuckDBWarehouse.from_connection(conn)


def rows(wh: DuckDBWarehouse, sql: str, params: dict | None = None) -> list[tuple]:
    return wh.execute(sql, params).rows


def one(wh: DuckDBWarehouse, sql: str, params: dict | None = None) -> tuple:
    result = rows(wh, sql, params)
    assert len(result) == 1, result
    return result[0]


# --- names -------------------------------------------------------------------------------------------------------


def test_system_catalog_is_dropped(wh):
    assert one(wh, "SELECT count(*) FROM system.query.history") == (len(QUERIES),)
    assert "system." not in to_duckdb("SELECT * FROM system.billing.usage")


def test_any_catalog_of_a_three_part_name_is_dropped(wh):
    assert one(wh, "SELECT sum(amount) FROM main.sales.orders") == (Decimal("14.75"),)
    assert rows(wh, "SELECT main.sales.orders.id FROM main.sales.orders ORDER BY 1") == [(1,), (2,)]
    assert to_duckdb("SELECT * FROM sales.orders") == "SELECT * FROM sales.orders"  # 2-part names stay


def test_backquoted_identifiers(wh):
    got = one(wh, "SELECT count(*) AS `$list`, max(`statement_id`) AS `last id` FROM system.query.history")
    assert got == (len(QUERIES), max(q[0] for q in QUERIES))
    assert wh.execute("SELECT 1 AS `$list`").columns == ["$list"]


def test_named_parameters_bind_from_a_dict(wh):
    assert "$user" in to_duckdb("SELECT 1 WHERE :user = 'x'")
    got = rows(
        wh,
        "SELECT statement_id FROM system.query.history WHERE executed_by = :user AND start_time >= :since ORDER BY 1",
        {"user": "ana@x.com", "since": ts("2024-03-02 00:00:00")},
    )
    assert got == [(q[0],) for q in QUERIES if q[2] == "ana@x.com" and ts(q[5]) >= ts("2024-03-02 00:00:00")]


# --- grouping ----------------------------------------------------------------------------------------------------


def test_group_by_all(wh):
    got = rows(wh, "SELECT workspace_id, execution_status, count(*) AS n FROM system.query.history GROUP BY ALL ORDER BY ALL")
    expected: dict[tuple[str, str], int] = {}
    for q in QUERIES:
        expected[(q[1], q[3])] = expected.get((q[1], q[3]), 0) + 1
    assert got == sorted((k[0], k[1], n) for k, n in expected.items())


def test_qualify(wh):
    got = rows(
        wh,
        "SELECT workspace_id, statement_id FROM system.query.history "
        "QUALIFY row_number() OVER (PARTITION BY workspace_id ORDER BY start_time DESC) = 1 ORDER BY 1",
    )
    latest = {}
    for q in sorted(QUERIES, key=lambda q: q[5]):
        latest[q[1]] = q[0]
    assert got == sorted(latest.items())


def test_qualify_with_group_by_all(wh):
    sql = (
        "SELECT workspace_id, executed_by, count(*) AS runs, sum(total_task_duration_ms) AS task_ms "
        "FROM system.query.history WHERE executed_by IS NOT NULL GROUP BY ALL "
        "QUALIFY row_number() OVER (PARTITION BY workspace_id ORDER BY sum(total_task_duration_ms) DESC) = 1 "
        "ORDER BY workspace_id"
    )
    per: dict[tuple[str, str], list[int]] = {}
    for q in QUERIES:
        if q[2]:
            per.setdefault((q[1], q[2]), []).append(q[7])
    best = {}
    for (ws, user), tasks in per.items():
        if ws not in best or sum(tasks) > best[ws][3]:
            best[ws] = (ws, user, len(tasks), sum(tasks))
    assert rows(wh, sql) == [best[ws] for ws in sorted(best)]
    assert "GROUP BY ALL" not in to_duckdb(sql)


def test_qualify_with_group_by_all_and_only_aggregates(wh):
    sql = "SELECT count(*) AS n FROM system.query.history GROUP BY ALL QUALIFY sum(count(*)) OVER () > 0"
    assert one(wh, sql) == (len(QUERIES),)


def test_window_functions(wh):
    got = rows(
        wh,
        "SELECT statement_id, sum(total_task_duration_ms) OVER (PARTITION BY workspace_id ORDER BY start_time) AS running,"
        " rank() OVER (ORDER BY total_task_duration_ms DESC) AS rnk,"
        " lag(statement_id) OVER (PARTITION BY workspace_id ORDER BY start_time) AS prev "
        "FROM system.query.history ORDER BY statement_id",
    )
    expected = []
    for q in sorted(QUERIES):
        same = sorted((x for x in QUERIES if x[1] == q[1]), key=lambda x: x[5])
        idx = [x[0] for x in same].index(q[0])
        running = sum(x[7] for x in same[: idx + 1])
        rnk = 1 + sum(1 for x in QUERIES if x[7] > q[7])
        expected.append((q[0], running, rnk, same[idx - 1][0] if idx else None))
    assert got == expected


# --- structs, maps, arrays ---------------------------------------------------------------------------------------


def test_struct_field_access(wh):
    got = rows(
        wh,
        "SELECT u.record_id, usage_metadata.warehouse_id, u.usage_metadata.warehouse_id AS w2, identity_metadata.run_as "
        "FROM system.billing.usage u ORDER BY 1",
    )
    assert got == [(u[0], u[3], u[3], u[7]) for u in USAGE]
    assert rows(wh, "SELECT query_source.job_info.job_id FROM system.query.history ORDER BY statement_id") == [
        (q[10],) for q in QUERIES
    ]


def test_struct_field_named_default(wh):
    got = rows(wh, "SELECT sku_name, pricing.default, p.pricing.promotional.default FROM system.billing.list_prices p ORDER BY 1, 2")
    assert got == sorted((p[0], p[3], p[3]) for p in PRICES)


def test_explode_map_in_select_list(wh):
    got = rows(wh, "SELECT record_id, explode(custom_tags) AS (k, v) FROM system.billing.usage ORDER BY ALL")
    assert got == sorted((u[0], k, v) for u in USAGE for k, v in (u[6] or {}).items())


def test_lateral_view_explode_map(wh):
    got = rows(
        wh,
        "SELECT statement_id, t.k, t.v FROM system.query.history LATERAL VIEW explode(query_tags) t AS k, v ORDER BY ALL",
    )
    assert got == sorted((q[0], k, v) for q in QUERIES for k, v in (q[9] or {}).items())


def test_lateral_view_outer_keeps_empty_and_null_maps(wh):
    got = rows(wh, "SELECT statement_id, k FROM system.query.history LATERAL VIEW OUTER explode(query_tags) t AS k, v")
    expected = [(q[0], k) for q in QUERIES for k in (q[9] or {None: None})]
    assert sorted(got, key=repr) == sorted(expected, key=repr)


def test_lateral_view_explode_array(wh):
    sql = "SELECT job_id, c FROM system.lakeflow.job_run_timeline LATERAL VIEW explode(compute_ids) t AS c ORDER BY ALL"
    assert rows(wh, sql) == sorted((r[1], c) for r in RUNS for c in (r[2] or []))
    outer = rows(wh, sql.replace("LATERAL VIEW", "LATERAL VIEW OUTER"))
    assert sorted(outer, key=repr) == sorted([(r[1], c) for r in RUNS for c in (r[2] or [None])], key=repr)


def test_posexplode(wh):
    got = rows(wh, "SELECT run_id, posexplode(compute_ids) AS (pos, c) FROM system.lakeflow.job_run_timeline ORDER BY ALL")
    assert got == sorted((r[0], i, c) for r in RUNS for i, c in enumerate(r[2] or []))


# --- aggregates --------------------------------------------------------------------------------------------------


def test_first_and_last_ignore_nulls(wh):
    # Within ws2 only q3 has a user; plain first() could return the NULL of q4.
    got = one(
        wh,
        "SELECT first(executed_by, true), last(executed_by, true), count(*) FROM system.query.history "
        "WHERE workspace_id = 'ws2'",
    )
    users = [q[2] for q in QUERIES if q[1] == "ws2" and q[2]]
    assert got == (users[0], users[-1], 2)
    assert one(wh, "SELECT first(x, true) FROM (SELECT CAST(NULL AS INT) AS x UNION ALL SELECT NULL)") == (None,)


def test_count_if(wh):
    got = one(wh, "SELECT count_if(execution_status = 'FAILED'), count_if(total_task_duration_ms > 250) FROM system.query.history")
    assert got == (sum(q[3] == "FAILED" for q in QUERIES), sum(q[7] > 250 for q in QUERIES))
    assert isinstance(got[0], int)


def test_percentile_is_exact_with_interpolation(wh):
    tasks = sorted(q[7] for q in QUERIES)

    def interpolated(p: float) -> float:
        pos = p * (len(tasks) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(tasks) - 1)
        return tasks[lo] + (tasks[hi] - tasks[lo]) * (pos - lo)

    got = one(wh, "SELECT percentile(total_task_duration_ms, 0.5), percentile(total_task_duration_ms, 0.95) FROM system.query.history")
    assert got == (pytest.approx(median(tasks)), pytest.approx(interpolated(0.95)))
    assert got[1] == pytest.approx(880.0)  # 400 + (1000 - 400) * 0.8, not a value of the column


def test_percentile_approx_returns_a_value_of_the_column(wh):
    tasks = sorted(q[7] for q in QUERIES)
    got = one(
        wh,
        "SELECT percentile_approx(total_task_duration_ms, 0.5), approx_percentile(total_task_duration_ms, 0.95, 100),"
        " percentile_approx(total_task_duration_ms, 0.2) FROM system.query.history",
    )
    assert got == (tasks[2], tasks[4], tasks[0])


def test_array_agg_collect_list_collect_set(wh):
    got = one(
        wh,
        "SELECT array_sort(array_agg(executed_by)), array_sort(collect_list(executed_by)), array_sort(collect_set(executed_by)) "
        "FROM system.query.history",
    )
    users = [q[2] for q in QUERIES if q[2]]
    assert got == (sorted(users), sorted(users), sorted(set(users)))


# --- decimals ----------------------------------------------------------------------------------------------------


def _price(sku: str, start: datetime) -> Decimal:
    for p_sku, p_start, p_end, price in PRICES:
        if p_sku == sku and ts(p_start) <= start and (p_end is None or start + timedelta(hours=1) <= ts(p_end)):
            return price
    raise AssertionError(sku)


SIX = Decimal("0.000001")

PRICED = (
    "FROM system.billing.usage u JOIN system.billing.list_prices p ON u.cloud = p.cloud AND u.sku_name = p.sku_name "
    "AND u.usage_start_time >= p.price_start_time AND (u.usage_end_time <= p.price_end_time OR p.price_end_time IS NULL)"
)


def test_decimal_product_past_100_does_not_overflow(wh):
    got = rows(wh, f"SELECT u.record_id, usage_quantity * pricing.default AS cost {PRICED} ORDER BY 1")
    expected = [(u[0], (u[5] * _price(u[2], ts(u[4]))).quantize(SIX, ROUND_HALF_UP)) for u in USAGE]
    assert got == expected
    assert max(c for _, c in got) > 100


def test_decimal_product_inside_sum(wh):
    got = rows(wh, f"SELECT u.workspace_id, SUM(u.usage_quantity * p.pricing.default) AS cost {PRICED} GROUP BY ALL ORDER BY 1")
    expected: dict[str, Decimal] = {}
    for u in USAGE:
        expected[u[1]] = expected.get(u[1], Decimal(0)) + (u[5] * _price(u[2], ts(u[4]))).quantize(SIX, ROUND_HALF_UP)
    assert got == sorted(expected.items())
    total = one(wh, f"SELECT sum(usage_quantity * pricing.default) {PRICED}")[0]
    assert total == sum(expected.values()) and total > 300


def test_decimal_product_through_a_cte_and_an_aggregate(wh):
    sql = (
        "WITH q AS (SELECT sku_name, sum(usage_quantity) AS dbu FROM system.billing.usage WHERE usage_date < '2024-03-10' GROUP BY ALL) "
        "SELECT q.sku_name, q.dbu * p.pricing.default FROM q JOIN system.billing.list_prices p USING (sku_name) "
        "WHERE p.price_start_time = '2023-01-01' ORDER BY 1"
    )
    dbu: dict[str, Decimal] = {}
    for u in USAGE:
        if ts(u[4]) < ts("2024-03-10 00:00:00"):
            dbu[u[2]] = dbu.get(u[2], Decimal(0)) + u[5]
    assert rows(wh, sql) == [(s, (d * Decimal("0.7")).quantize(SIX, ROUND_HALF_UP)) for s, d in sorted(dbu.items())]


def test_spark_decimal_product_type():
    assert spark_decimal_product(38, 18, 38, 18) == (38, 6)
    assert spark_decimal_product(10, 2, 10, 2) == (21, 4)
    assert spark_decimal_product(38, 10, 10, 2) == (38, 6)


def test_small_decimal_and_integer_products_are_left_alone(wh):
    assert to_duckdb("SELECT amount * 2, amount * amount FROM sales.orders") == "SELECT amount * 2, amount * amount FROM sales.orders"
    assert one(wh, "SELECT count(*) * 1000 FROM system.query.history") == (len(QUERIES) * 1000,)


def test_try_divide(wh):
    got = one(wh, "SELECT try_divide(7, 2), try_divide(1, 0), try_divide(sum(total_task_duration_ms), count_if(false)) FROM system.query.history")
    assert got == (3.5, None, None)


# --- dates and times ---------------------------------------------------------------------------------------------


def test_date_add_and_date_sub_return_dates(wh):
    got = one(
        wh,
        "SELECT date_add(DATE'2024-02-28', 2), date_sub(DATE'2024-03-01', 1), date_add(start_time, 1) "
        "FROM system.query.history WHERE statement_id = 'q5'",
    )
    q5 = ts(QUERIES[4][5])
    assert got == (date(2024, 3, 1), date(2024, 2, 29), q5.date() + timedelta(days=1))
    assert all(type(v) is date for v in got)


def test_current_date_minus_interval(wh):
    before = datetime.now(UTC).date()
    value = one(wh, "SELECT current_date() - INTERVAL 30 DAY")[0]
    after = datetime.now(UTC).date()
    assert value.date() in {before - timedelta(days=30), after - timedelta(days=30)}
    assert (value.hour, value.minute, value.second) == (0, 0, 0)  # a TIMESTAMP at midnight, as on Databricks
    n = one(wh, "SELECT count(*) FROM system.query.history WHERE start_time >= current_date() - INTERVAL 30 DAY")[0]
    assert n == sum(ts(q[5]).date() >= before - timedelta(days=30) for q in QUERIES)


def test_date_trunc_hour(wh):
    got = rows(wh, "SELECT statement_id, date_trunc('HOUR', start_time) FROM system.query.history ORDER BY 1")
    assert got == [(q[0], ts(q[5]).replace(minute=0, second=0)) for q in QUERIES]


def test_timestampdiff_counts_whole_units(wh):
    got = rows(
        wh,
        "SELECT statement_id, timestampdiff(SECOND, start_time, end_time), timestampdiff(HOUR, start_time, end_time),"
        " timestampdiff(MINUTE, start_time, end_time), datediff(end_time, start_time) FROM system.query.history ORDER BY 1",
    )
    expected = []
    for q in QUERIES:
        s, e = ts(q[5]), ts(q[6])
        secs = int((e - s).total_seconds())
        expected.append((q[0], secs, secs // 3600, secs // 60, (e.date() - s.date()).days))
    assert got == expected
    assert expected[1][2] == 0  # q2: 10:59 → 11:01 is not an hour


def test_unix_millis_and_timestampadd(wh):
    got = rows(wh, "SELECT unix_millis(start_time), timestampadd(HOUR, 2, start_time), timestampadd(MINUTE, -5, end_time) FROM system.query.history ORDER BY statement_id")
    assert got == [
        (int(ts(q[5]).timestamp() * 1000), ts(q[5]) + timedelta(hours=2), ts(q[6]) - timedelta(minutes=5)) for q in QUERIES
    ]


def test_sequence_explode_over_timestamps(wh):
    got = rows(
        wh,
        "SELECT statement_id, explode(sequence(date_trunc('HOUR', start_time), date_trunc('HOUR', end_time), INTERVAL 1 HOUR)) AS hour "
        "FROM system.query.history ORDER BY ALL",
    )
    expected = []
    for q in QUERIES:
        h, end = ts(q[5]).replace(minute=0, second=0), ts(q[6]).replace(minute=0, second=0)
        while h <= end:
            expected.append((q[0], h))
            h += timedelta(hours=1)
    assert got == expected


def test_make_interval(wh):
    got = one(wh, "SELECT make_interval(0, 0, 1, 2, 3, 4, 5.5), start_time + make_interval(0, 0, 0, 0, 0, 0, total_task_duration_ms / 1000) FROM system.query.history WHERE statement_id = 'q5'")
    assert got == (timedelta(days=9, hours=3, minutes=4, seconds=5.5), ts(QUERIES[4][5]) + timedelta(seconds=1))


def test_to_date_and_date_format(wh):
    got = one(wh, "SELECT to_date('2024-03-05'), to_date('05/03/2024', 'dd/MM/yyyy'), date_format(TIMESTAMP'2024-03-05 07:08:09', 'yyyy-MM-dd HH:mm'), date_format(DATE'2024-03-05', 'yyyyMMdd')")
    assert got == (date(2024, 3, 5), date(2024, 3, 5), "2024-03-05 07:08", "20240305")


# --- strings and other functions ---------------------------------------------------------------------------------


def test_regexp_replace_masks_literals(wh):
    got = rows(wh, r"SELECT regexp_replace(regexp_replace(statement_text, '\\d+', '?'), '\'[^\']*\'', '?') FROM system.query.history ORDER BY statement_id")
    expected = [(re.sub(r"'[^']*'", "?", re.sub(r"\d+", "?", q[8])),) for q in QUERIES]
    assert got == expected


def test_regexp_replace_java_group_references(wh):
    assert one(wh, r"SELECT regexp_replace('ana@x.com', '(\\w+)@(\\w+)', '$2 at ${1} costs \$')") == ("x at ana costs $.com",)
    assert one(wh, "SELECT regexp_replace('ABC abc', '(?i)b', '-')") == ("A-C a-c",)


def test_regexp_java_only_constructs_fail_clearly(wh):
    with pytest.raises(QoptError) as info:
        wh.execute("SELECT regexp_replace('abc', 'a(?=b)', 'x')")
    assert "\n" not in str(info.value)


def test_md5_and_sha2(wh):
    got = one(wh, "SELECT md5('qopt'), sha2('qopt', 256), sha2('qopt', 0)")
    digest = hashlib.sha256(b"qopt").hexdigest()
    assert got == (hashlib.md5(b"qopt").hexdigest(), digest, digest)
    with pytest.raises(UsageError, match="256"):
        to_duckdb("SELECT sha2('qopt', 512)")


def test_nvl_and_coalesce(wh):
    got = rows(wh, "SELECT nvl(executed_by, 'unknown'), coalesce(executed_by, NULL, 'nobody') FROM system.query.history ORDER BY statement_id")
    assert got == [(q[2] or "unknown", q[2] or "nobody") for q in QUERIES]


# --- the transpiler itself ---------------------------------------------------------------------------------------


def test_transforms_are_small_named_functions():
    assert all(callable(t) and t.__doc__ for t in TRANSFORMS)


def test_bad_sql_is_one_line_usage_error():
    for sql in ("SELEC 1 FROM", "SELECT 1; SELECT 2", "SELECT 'unterminated"):
        with pytest.raises(UsageError) as info:
            to_duckdb(sql)
        assert "\n" not in str(info.value)


def test_to_duckdb_is_cached():
    to_duckdb.cache_clear()
    to_duckdb("SELECT 1")
    to_duckdb("SELECT 1")
    assert to_duckdb.cache_info().hits == 1
