"""`qopt genie-setup`: the views run on the embedded warehouse, and their numbers agree with qopt's own."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import datetime, timezone

import duckdb
import pytest
import sqlglot

from qopt import queries
from qopt.cli import main
from qopt.config import load_settings
from qopt.genie.setup import SAMPLE_QUESTIONS, VIEW_RULES
from qopt.recommend.metrics import METRIC_RULES, metric_findings
from qopt.warehouse.duckdb import DuckDBWarehouse
from qopt.workload import Window

VIEWS = ("genie_query_performance", "genie_cost_attribution", "genie_optimization_opportunities")


@pytest.fixture
def applied(recent_demo_warehouse, tmp_path, monkeypatch, capsys):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(recent_demo_warehouse, copy)
    monkeypatch.setenv("QOPT_DUCKDB_PATH", str(copy))
    monkeypatch.setenv("QOPT_DATA_DIR", str(tmp_path))
    assert main(["genie-setup", "--apply", "--days", "30"]) == 0
    out = capsys.readouterr()
    assert "Created 3 views in qopt_genie" in out.err
    assert "qopt_genie.genie_cost_attribution" in out.out and SAMPLE_QUESTIONS[0] in out.out
    return copy


def test_printed_sql_is_databricks_sql_for_the_named_catalog(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("QOPT_DATA_DIR", str(tmp_path))
    assert main(["genie-setup", "--catalog", "ops", "--schema", "finops"]) == 0
    out = capsys.readouterr().out
    statements = [s for s in out.split(";\n") if "CREATE" in s]
    assert len(statements) == 4
    for view in VIEWS:
        assert f"CREATE OR REPLACE VIEW ops.finops.{view} AS" in out
    for statement in statements:
        body = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
        assert sqlglot.parse_one(body, read="databricks") is not None
    assert "statement_text" not in out  # channels must not see other people's SQL through Genie
    assert main(["genie-setup", "--schema", "bad name; drop"]) == 2


async def test_views_run_and_agree_with_qopt(applied):
    settings = load_settings()
    now = datetime.now(timezone.utc)
    window = Window.last_days(now, 30)
    conn = duckdb.connect(str(applied), read_only=True)
    conn.execute("SET TimeZone = 'UTC'")

    def rows(sql: str, params=None):
        return conn.execute(sql, params or []).fetchall()

    # Performance: every statement of the window, once.
    (perf_count,) = rows("SELECT count(*) FROM qopt_genie.genie_query_performance")[0]
    (direct,) = rows("SELECT count(*) FROM query.history WHERE start_time >= ?", [window.start])[0]
    assert perf_count == direct > 0

    # Cost: one row per statement (no join to billing on workspace id that multiplies rows), and the same
    # numbers as qopt's attribution over the same window.
    count, distinct, total = rows(
        "SELECT count(*), count(DISTINCT statement_id), sum(cost_usd) FROM qopt_genie.genie_cost_attribution")[0]
    assert count == distinct > 0
    warehouse = DuckDBWarehouse(applied)
    attributed = await warehouse.query(queries.load("attribution"), window.params())
    await warehouse.close()
    assert total == pytest.approx(sum(r[1] for r in attributed.rows), rel=1e-9)
    # ... and never more than what the SQL warehouses were billed in the window (independent: billing × prices).
    (billed,) = rows(
        "SELECT sum(CAST(u.usage_quantity AS DOUBLE) * CAST(p.pricing.\"default\" AS DOUBLE)) "
        "FROM billing.usage u JOIN billing.list_prices p ON u.sku_name = p.sku_name AND u.cloud = p.cloud "
        "AND u.usage_start_time >= p.price_start_time AND (p.price_end_time IS NULL OR u.usage_end_time <= p.price_end_time) "
        "WHERE u.usage_metadata.warehouse_id IS NOT NULL AND u.usage_start_time >= ? AND u.usage_start_time < ?",
        [window.start, window.end])[0]
    assert 0 < total <= billed + 1e-6

    # Opportunities: exactly the findings of the recommendation engine's metric rules (Python), per statement.
    assert set(VIEW_RULES) <= set(METRIC_RULES)
    from_view: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for statement_id, rule, severity in rows(
            "SELECT statement_id, rule, severity FROM qopt_genie.genie_optimization_opportunities"):
        from_view[statement_id].add((rule, severity))
    costs = dict(rows("SELECT statement_id, cost_usd FROM qopt_genie.genie_cost_attribution"))
    cursor = conn.execute("SELECT * FROM qopt_genie.genie_query_performance")
    names = [d[0] for d in cursor.description]
    expected: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for values in cursor.fetchall():
        row = dict(zip(names, values))
        for finding in metric_findings(row, settings, cost_usd=costs.get(row["statement_id"])):
            expected[row["statement_id"]].add((finding.rule, finding.severity))
    assert {k: v for k, v in from_view.items()} == {k: v for k, v in expected.items() if v}
    assert len(from_view) > 10 and {r for v in from_view.values() for r, _ in v} >= {"long_running", "disk_spill"}
    conn.close()


def test_json_output_is_one_document(monkeypatch, tmp_path, capsys):
    import json

    monkeypatch.setenv("QOPT_DATA_DIR", str(tmp_path))
    assert main(["genie-setup", "--format", "json", "--schema", "g"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["applied"] is False and len(doc["statements"]) == 4
    assert [t["name"] for t in doc["tables"]] == [f"main.g.{v}" for v in VIEWS]
    assert doc["sample_questions"] == list(SAMPLE_QUESTIONS) and "cost_usd" in doc["instructions"]
