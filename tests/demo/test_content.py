"""What the workload holds: the account, the templates and metrics that agree with the SQL."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from qopt.demo.tables import TABLES, create_user_tables
from qopt.demo.templates import ANTI_PATTERNS, BY_KEY, STAR_SIBLINGS, TEMPLATES, render
from tests.demo.conftest import END, rows

RULES_USED = {"select_star", "non_sargable_predicate", "leading_wildcard_like", "unbounded_order_by",
              "not_in_subquery", "count_distinct", "union_distinct", "order_by_rand", "cartesian_join",
              "correlated_subquery"}
PLACEHOLDER = re.compile(r"\{(from|to|year|n|region|cust|word)\}")


def _matcher():
    """statement text -> template key, by turning each template into a regular expression."""
    patterns = []
    for t in TEMPLATES:
        parts = PLACEHOLDER.split(t.sql)
        regex = "".join(re.escape(p) if i % 2 == 0 else r"[^\s']+" for i, p in enumerate(parts))
        patterns.append((t.key, re.compile(regex + r"\Z")))

    def match(text: str) -> list[str]:
        return [key for key, regex in patterns if regex.match(text)]

    return match


@pytest.fixture(scope="module")
def by_template(db) -> dict[str, list[tuple]]:
    match = _matcher()
    out: dict[str, list[tuple]] = defaultdict(list)
    for row in rows(db, """
        SELECT statement_text, read_bytes, read_files, pruned_files, spilled_local_bytes, execution_status,
               from_result_cache, produced_rows, read_rows
        FROM query.history
    """):
        keys = match(row[0])
        assert len(keys) == 1, row[0]
        out[keys[0]].append(row)
    return out


def test_at_least_60_templates_run(by_template):
    assert len(TEMPLATES) >= 60 and len({t.key for t in TEMPLATES}) == len(TEMPLATES)
    assert len(by_template) >= 60


def test_the_account(db):
    assert rows(db, "SELECT count(DISTINCT workspace_id) FROM query.history")[0][0] >= 3
    assert rows(db, "SELECT count(DISTINCT compute.warehouse_id) FROM query.history")[0][0] >= 6
    assert {r[0] for r in rows(db, "SELECT DISTINCT warehouse_type FROM compute.warehouses")} == \
        {"CLASSIC", "PRO", "SERVERLESS"}
    assert len({r[0] for r in rows(db, "SELECT DISTINCT warehouse_size FROM compute.warehouses")}) >= 4
    users = [r[0] for r in rows(db, "SELECT DISTINCT executed_by FROM query.history")]
    assert 35 <= len(users) <= 45
    assert "ana.silva@example.com" in users
    assert all(re.fullmatch(r"[a-z-]+(\.[a-z]+)?@example\.com", u) for u in users)


def test_warehouse_configuration_changes_inside_the_window(db):
    start = rows(db, "SELECT min(start_time) FROM query.history")[0][0]
    changes = rows(db, """
        SELECT warehouse_id, count(*), count(DISTINCT warehouse_size), count(DISTINCT auto_stop_minutes),
               count(DISTINCT max_clusters), max(change_time)
        FROM compute.warehouses GROUP BY warehouse_id HAVING count(*) > 1
    """)
    assert len(changes) >= 3
    assert any(sizes > 1 for _, _, sizes, _, _, _ in changes), "a resize"
    assert all(last > start for *_, last in changes)


def test_clusters_and_jobs_change_slowly(db):
    assert rows(db, "SELECT count(*) FROM (SELECT cluster_id FROM compute.clusters GROUP BY 1 HAVING count(*) > 1)")[0][0] >= 1
    assert rows(db, "SELECT count(*) FROM (SELECT job_id FROM lakeflow.jobs GROUP BY 1 HAVING count(*) > 1)")[0][0] >= 1
    # Every SQL job run is a run of a known job, and its statements carry its ids.
    assert rows(db, """
        SELECT count(*) FROM query.history AS h
        WHERE h.query_source.job_info.job_id IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM lakeflow.job_run_timeline AS r
          WHERE r.job_id = h.query_source.job_info.job_id AND r.run_id = h.query_source.job_info.job_run_id
            AND r.period_start_time <= h.start_time AND h.end_time <= r.period_end_time)
    """) == [(0,)]


def test_statement_sources(db):
    counts = rows(db, """
        SELECT count(*) FILTER (WHERE query_source.dashboard_id IS NOT NULL),
               count(*) FILTER (WHERE query_source.job_info.job_id IS NOT NULL AND statement_type IN ('INSERT', 'MERGE', 'CREATE')),
               count(*) FILTER (WHERE query_source.genie_space_id IS NOT NULL),
               count(*) FILTER (WHERE query_source.alert_id IS NOT NULL),
               count(*) FILTER (WHERE query_source.notebook_id IS NOT NULL),
               count(*) FILTER (WHERE execution_status = 'FAILED' AND error_message IS NOT NULL),
               count(*) FILTER (WHERE execution_status = 'CANCELED'),
               count(*) FILTER (WHERE execution_status = 'FINISHED' AND error_message IS NOT NULL),
               count(*) FILTER (WHERE from_result_cache)
        FROM query.history
    """)[0]
    assert all(c > 0 for c in counts[:7]) and counts[7] == 0 and counts[8] > 0


def test_dashboards_recur_with_varying_literals(db):
    # The Sales Overview refreshes on its schedule at :05 past the hour, every day, with that day's dates.
    days, texts, at_five = rows(db, """
        SELECT count(DISTINCT CAST(start_time AS DATE)), count(DISTINCT statement_text),
               count(*) FILTER (WHERE minute(start_time) = 5) / count(*)
        FROM query.history
        WHERE query_source.dashboard_id IS NOT NULL AND statement_text LIKE 'SELECT order_date, SUM(total_amount)%'
    """)[0]
    assert days == 14 and texts >= 14 and at_five > 0.5


def test_select_star_reads_more_than_its_explicit_twin(by_template):
    def mean_bytes(key):
        ok = [r[1] for r in by_template[key] if r[5] == "FINISHED" and not r[6]]
        assert len(ok) >= 5, key
        return sum(ok) / len(ok)

    for star, explicit in STAR_SIBLINGS:
        assert "select_star" in ANTI_PATTERNS[star] and "select_star" not in ANTI_PATTERNS[explicit]
        assert mean_bytes(star) > 1.5 * mean_bytes(explicit), (star, explicit)


def test_non_sargable_filters_prune_nothing_and_sargable_ones_prune(by_template):
    def pruned_share(key):
        runs = [r for r in by_template[key] if not r[6] and r[2] + r[3] > 0]
        return sum(r[3] for r in runs) / sum(r[2] + r[3] for r in runs)

    for key in ("dash_sales_yoy", "dash_web_hourly_traffic", "dash_ops_stock_history"):
        assert "non_sargable_predicate" in ANTI_PATTERNS[key]
        assert pruned_share(key) < 0.05
    for key in ("dash_sales_by_region", "dash_web_events_by_type", "dash_ops_stock_by_site"):
        assert not ANTI_PATTERNS[key]
        assert pruned_share(key) > 0.9


def test_only_sorting_templates_spill(by_template):
    spilled = {key for key, runs in by_template.items() if any(r[4] > 0 for r in runs)}
    assert spilled and all(BY_KEY[key].sort > 0 for key in spilled)
    assert "adhoc_biggest_orders" in spilled  # a global ORDER BY over weeks of orders


def test_cost_is_heavy_tailed(db):
    shares = [r[0] for r in rows(db, """
        SELECT sum(total_task_duration_ms) AS task FROM query.history
        GROUP BY regexp_replace(statement_text, '''[^'']*''|\\d+', '?', 'g') ORDER BY task DESC
    """)]
    assert len(shares) > 60
    assert sum(shares[:5]) > 0.3 * sum(shares)  # a few recurring statements dominate


def test_anti_pattern_catalog():
    assert set(ANTI_PATTERNS) == {t.key for t in TEMPLATES}
    used = set().union(*ANTI_PATTERNS.values())
    assert RULES_USED <= used
    clean = [key for key, rules in ANTI_PATTERNS.items() if not rules]
    assert len(clean) >= 30


def test_select_star_flag_matches_the_sql():
    for t in TEMPLATES:
        tree = sqlglot.parse_one(render(t, END), read="databricks")
        star = any(isinstance(e, exp.Star) and not isinstance(e.parent, exp.Count) for e in tree.find_all(exp.Star))
        assert star == ("select_star" in t.anti), t.key
        reads_all = any(s.cols == "*" for s in t.scans)
        assert star == reads_all, t.key


def test_every_template_runs_on_the_demo_tables():
    """Rendered, parsed as Databricks SQL, catalog dropped, transpiled: each statement runs on DuckDB."""
    conn = duckdb.connect()
    create_user_tables(conn)
    for t in TEMPLATES:
        tree = sqlglot.parse_one(render(t, date(2026, 6, 1)), read="databricks")
        for table in tree.find_all(exp.Table):
            if table.catalog == "main":
                table.set("catalog", None)
            if table.db:
                assert f"{table.db}.{table.name}" in TABLES, (t.key, table.sql())
        conn.execute("BEGIN")
        try:
            conn.execute(tree.sql(dialect="duckdb"))
        finally:
            conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM sales.orders").fetchone()[0] >= 300


def test_read_templates_run_through_the_embedded_warehouse(generated):
    """The generated file answers every read-only template through qopt's own warehouse (Databricks dialect)."""
    from qopt.warehouse.duckdb import DuckDBWarehouse

    warehouse = DuckDBWarehouse(generated[0])
    ran = 0
    for t in TEMPLATES:
        if t.statement_type in ("SELECT", "DESCRIBE"):
            result = warehouse.execute(render(t, date(2026, 6, 1)))
            assert result.columns, t.key
            ran += 1
    assert ran >= 50
