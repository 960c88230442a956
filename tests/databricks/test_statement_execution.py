"""DatabricksWarehouse against the local Statement Execution emulator, through the real databricks-sdk client."""

from __future__ import annotations

import asyncio
import math
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from qopt.bot.progress import reporting
from qopt.errors import ConfigError, ServiceError
from qopt.warehouse.databricks import QUERY_TAG_KEY, DatabricksWarehouse, parameter_value
from qopt.warehouse.duckdb import DuckDBWarehouse
from tests.databricks.conftest import N_QUERIES, query_rows
from tests.databricks.emulator import CLIENT_ID, CLIENT_SECRET, PRINCIPAL, java_double, wait_for

UTC = timezone.utc


def statement_posts(emulator):
    return [r for r in emulator.requests if r[0] == "POST" and r[1].rstrip("/") == "/api/2.0/sql/statements"]


# --- parameters, chunks, conversions -----------------------------------------------------------------------------


async def test_named_parameters_travel_typed(warehouse, emulator):
    since = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    result = await warehouse.query(
        "SELECT statement_id, total_duration_ms FROM system.query.history "
        "WHERE start_time >= :since AND executed_by = :user AND total_duration_ms > :ms ORDER BY statement_id",
        {"since": since, "user": "bob@example.com", "ms": 1500, "unused": "x"},
    )
    expected = [(sid, ms) for sid, user, start, ms, *_ in query_rows() if start >= since and user == "bob@example.com" and ms > 1500]
    assert result.rows == expected and expected
    body = statement_posts(emulator)[-1][2]
    assert {p["name"]: p.get("type") for p in body["parameters"]} == {"since": "TIMESTAMP", "user": "STRING", "ms": "BIGINT"}
    assert "unused" not in str(body["parameters"])
    assert ":since" in body["statement"]  # the Databricks SQL itself travels, values apart


async def test_list_parameters_expand_to_one_marker_each(warehouse, emulator):
    users = ["ana@example.com", "chen@example.com"]
    result = await warehouse.query(
        "SELECT count(*) FROM system.query.history WHERE executed_by IN (:users)", {"users": users}
    )
    assert result.rows == [(sum(r[1] in users for r in query_rows()),)]
    names = [p["name"] for p in statement_posts(emulator)[-1][2]["parameters"]]
    assert names == ["users_0", "users_1"]


@pytest.mark.parametrize(
    "value, text, typ",
    [
        (None, None, None),
        (True, "true", "BOOLEAN"),
        (42, "42", "BIGINT"),
        (2.5, "2.5", "DOUBLE"),
        (Decimal("12.340"), "12.340", "DECIMAL(5,3)"),
        (date(2026, 3, 1), "2026-03-01", "DATE"),
        (datetime(2026, 3, 1, 12, 0, 1, 500, tzinfo=UTC), "2026-03-01T12:00:01.000500Z", "TIMESTAMP"),
        (datetime(2026, 3, 1, 12, tzinfo=timezone(timedelta(hours=2))), "2026-03-01T10:00:00.000000Z", "TIMESTAMP"),
        ("it's", "it's", "STRING"),
    ],
)
def test_parameter_value(value, text, typ):
    assert parameter_value(value) == (text, typ)


async def test_every_parameter_type_round_trips(warehouse):
    params = {
        "b": False, "i": -7, "f": 0.125, "d": Decimal("99.50"), "day": date(2026, 2, 28),
        "ts": datetime(2026, 3, 1, 23, 59, 59, 250000, tzinfo=UTC), "s": "x'y", "n": None,
    }
    result = await warehouse.query("SELECT :b AS b, :i AS i, :f AS f, :d AS d, :day AS day, :ts AS ts, :s AS s, :n AS n", params)
    assert result.columns == list(params)
    assert result.rows == [tuple(params.values())]


async def test_results_in_many_chunks(warehouse, emulator):
    result = await warehouse.query("SELECT statement_id, executed_by FROM system.query.history ORDER BY statement_id")
    assert result.rows == [(r[0], r[1]) for r in query_rows()]
    chunk_gets = [r for r in emulator.requests if "/result/chunks/" in r[1]]
    assert len(chunk_gets) == math.ceil(N_QUERIES / emulator.chunk_size) - 1 >= 2


async def test_empty_result_has_columns_and_no_rows(warehouse, emulator):
    result = await warehouse.query("SELECT statement_id, start_time FROM system.query.history WHERE false")
    assert result.columns == ["statement_id", "start_time"] and result.rows == []
    assert "data_array" not in str(emulator.statements[list(emulator.statements)[-1]].chunks)


CONVERSIONS = """
SELECT CAST(7 AS TINYINT) AS byte_, CAST(-300 AS SMALLINT) AS short_, CAST(70000 AS INT) AS int_,
       CAST(9007199254740993 AS BIGINT) AS long_, CAST('1234567890.123456789012345678' AS DECIMAL(38,18)) AS dec_,
       CAST(12000000.0 AS DOUBLE) AS big_double, CAST(0.0001234 AS DOUBLE) AS small_double, CAST(1.5 AS FLOAT) AS float_,
       true AS bool_, DATE'2026-02-28' AS date_, TIMESTAMP'2026-03-01 12:34:56.789' AS ts_, 'héllo, "x"' AS str_,
       array('a', 'b') AS arr_, map('k', 'v') AS map_, named_struct('x', 1, 'y', 'z') AS struct_,
       CAST(NULL AS BIGINT) AS null_, sum(total_duration_ms) AS sum_
FROM system.query.history
"""


async def test_every_type_is_converted(warehouse, warehouse_file, emulator):
    result = await warehouse.query(CONVERSIONS)
    expected = {
        "byte_": 7, "short_": -300, "int_": 70000, "long_": 9007199254740993,
        "dec_": Decimal("1234567890.123456789012345678"), "big_double": 12000000.0, "small_double": 0.0001234,
        "float_": 1.5, "bool_": True, "date_": date(2026, 2, 28),
        "ts_": datetime(2026, 3, 1, 12, 34, 56, 789000, tzinfo=UTC), "str_": 'héllo, "x"',
        "arr_": ["a", "b"], "map_": {"k": "v"}, "struct_": {"x": 1, "y": "z"}, "null_": None,
        "sum_": sum(r[3] for r in query_rows()),
    }
    assert dict(zip(result.columns, result.rows[0])) == expected
    for name, value in expected.items():
        assert type(dict(zip(result.columns, result.rows[0]))[name]) is type(value), name
    types = {c["name"]: c["type_name"] for c in emulator.statements[list(emulator.statements)[-1]].response["manifest"]["schema"]["columns"]}
    assert types["byte_"] == "BYTE" and types["short_"] == "SHORT" and types["long_"] == "LONG" and types["dec_"] == "DECIMAL"
    # Scalars are identical to the embedded warehouse's answer for the same statement.
    local = DuckDBWarehouse(warehouse_file)
    try:
        mine = (await local.query(CONVERSIONS)).dicts()[0]
    finally:
        await local.close()
    got = result.dicts()[0]
    for name in expected:
        if name not in ("arr_", "map_", "struct_"):
            assert got[name] == mine[name], name


def test_doubles_use_exponent_notation_like_databricks():
    assert java_double(12000000.0) == "1.2E7"
    assert java_double(0.0001234) == "1.234E-4"
    assert java_double(2.5) == "2.5"


# --- waiting, cancelling, failing --------------------------------------------------------------------------------


async def test_pending_statement_is_polled(warehouse, emulator):
    emulator.pending_polls = 3
    result = await warehouse.query("SELECT count(*) AS n FROM system.query.history")
    assert result.rows == [(N_QUERIES,)]
    sid = list(emulator.statements)[-1]
    assert len([r for r in emulator.requests if r[0] == "GET" and r[1].endswith(sid)]) == 4


async def test_timeout_cancels_the_statement(make_warehouse, emulator):
    emulator.hang = True
    warehouse = make_warehouse(query_timeout_seconds=0.3)
    with pytest.raises(ServiceError, match="longer than 0.3 s.*cancelled"):
        await warehouse.query("SELECT 1")
    assert emulator.cancelled == list(emulator.statements)


async def test_abandoned_query_is_cancelled(warehouse, emulator):
    emulator.hang = True
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(warehouse.query("SELECT 1"), 0.2)
    await wait_for(lambda: emulator.cancelled == list(emulator.statements))


async def test_starting_warehouse_is_announced(make_warehouse, emulator):
    emulator.hang = True
    emulator.warehouse_state = "STARTING"
    warehouse = make_warehouse(query_timeout_seconds=0.5)
    lines: list[str] = []
    with reporting(lines.append):
        with pytest.raises(ServiceError, match="still starting.*ask again"):
            await warehouse.query("SELECT 1")
    assert len(lines) == 1 and "starting" in lines[0] and "answer when it is ready" in lines[0]
    assert emulator.cancelled


async def test_starting_warehouse_then_answer(make_warehouse, emulator):
    emulator.pending_polls = 2
    emulator.warehouse_state = "STARTING"
    lines: list[str] = []
    with reporting(lines.append):
        result = await make_warehouse().query("SELECT 42 AS answer")
    assert result.rows == [(42,)] and len(lines) == 1


async def test_failed_statement_gives_the_message(warehouse):
    with pytest.raises(ServiceError) as info:
        await warehouse.query("SELECT no_such_column FROM system.query.history")
    assert "no_such_column" in str(info.value) and "\n" not in str(info.value)


async def test_permission_denied_names_the_grant(warehouse, emulator):
    emulator.denied_schemas = {"billing"}
    with pytest.raises(ServiceError) as info:
        await warehouse.query("SELECT sum(usage_quantity) FROM system.billing.usage WHERE usage_date >= :d", {"d": date(2026, 1, 1)})
    text = str(info.value)
    assert "\n" not in text
    assert f"GRANT USE CATALOG ON CATALOG system TO `{PRINCIPAL}`" in text
    assert f"GRANT USE SCHEMA, SELECT ON SCHEMA system.billing TO `{PRINCIPAL}`" in text
    assert "system.query" not in text
    # other schemas still work
    assert (await warehouse.query("SELECT count(*) FROM system.query.history")).rows == [(N_QUERIES,)]


async def test_query_tags_name_the_skill(warehouse, emulator):
    await warehouse.query("SELECT 1", tag="top")
    assert statement_posts(emulator)[-1][2]["query_tags"] == [{"key": QUERY_TAG_KEY, "value": "top"}]
    body = statement_posts(emulator)[-1][2]
    assert body["disposition"] == "INLINE" and body["format"] == "JSON_ARRAY" and body["on_wait_timeout"] == "CONTINUE"


# --- HTTP-level trouble ------------------------------------------------------------------------------------------


async def test_429_and_503_are_retried(warehouse, emulator):
    emulator.throttle = [429, 503, 429]
    result = await warehouse.query("SELECT count(*) FROM system.query.history")
    assert result.rows == [(N_QUERIES,)]
    assert emulator.throttle == []


async def test_endless_503_fails_within_the_retry_timeout(make_warehouse, emulator):
    emulator.throttle_forever = 503
    warehouse = make_warehouse(databricks_retry_timeout_seconds=1)
    with pytest.raises(ServiceError) as info:
        await warehouse.query("SELECT 1")
    assert "try again later" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("status", [401, 403])
async def test_bad_token_is_one_clear_line(make_warehouse, emulator, status):
    emulator.bad_token_status = status
    warehouse = make_warehouse(databricks_token="dapi-wrong")
    with pytest.raises(ConfigError) as info:
        await warehouse.query("SELECT 1")
    text = str(info.value)
    assert "\n" not in text and "credentials" in text and f"({status}" in text
    assert "dapi-wrong" not in text


async def test_unreachable_host_fails_fast(make_warehouse):
    warehouse = make_warehouse(databricks_host="http://127.0.0.1:9", databricks_retry_timeout_seconds=1)
    with pytest.raises(ServiceError, match="Cannot reach Databricks"):
        await warehouse.query("SELECT 1")


async def test_unknown_warehouse_id(make_warehouse):
    with pytest.raises(ConfigError, match="QOPT_WAREHOUSE_ID: no SQL warehouse nope"):
        await make_warehouse(warehouse_id="nope").query("SELECT 1")


async def test_oauth_machine_to_machine(make_warehouse, emulator):
    warehouse = make_warehouse(databricks_token=None, databricks_client_id=CLIENT_ID, databricks_client_secret=CLIENT_SECRET)
    assert (await warehouse.query("SELECT 1 AS one")).rows == [(1,)]
    assert any(r[1] == "/oidc/v1/token" for r in emulator.requests)


async def test_oauth_with_a_wrong_secret(make_warehouse):
    warehouse = make_warehouse(databricks_token=None, databricks_client_id=CLIENT_ID, databricks_client_secret="wrong")
    with pytest.raises(ConfigError) as info:
        await warehouse.query("SELECT 1")
    assert "\n" not in str(info.value) and "wrong" not in str(info.value)


@pytest.mark.parametrize(
    "overrides, needle",
    [
        ({"databricks_host": None}, "DATABRICKS_HOST"),
        ({"databricks_token": None}, "credentials"),
        ({"databricks_token": None, "databricks_client_id": "x"}, "DATABRICKS_CLIENT_SECRET"),
        ({"warehouse_id": None}, "QOPT_WAREHOUSE_ID"),
    ],
)
def test_incomplete_settings(make_settings, overrides, needle):
    with pytest.raises(ConfigError, match=needle):
        DatabricksWarehouse.from_settings(make_settings(**overrides))


def test_open_warehouse_picks_databricks(make_settings):
    from qopt.app import open_warehouse

    warehouse = open_warehouse(make_settings())
    assert warehouse.name == "databricks"
