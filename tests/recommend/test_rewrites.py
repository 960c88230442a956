"""Rewrites: each one parses, runs on DuckDB, and returns the same rows wherever it claims equivalence."""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest
import sqlglot

from qopt.recommend.engine import analyze
from qopt.recommend.finding import Rewrite
from qopt.recommend.schema import Schema
from qopt.warehouse.dialect import to_duckdb


@pytest.fixture(scope="module")
def db():
    conn = duckdb.connect(":memory:")
    conn.execute("SET TimeZone = 'UTC'")
    conn.execute("CREATE SCHEMA sales")
    conn.execute(
        "CREATE TABLE sales.orders AS SELECT i AS id, i % 7 AS customer_id, "
        "DATE '2023-12-25' + CAST(i % 20 AS INTEGER) AS order_date, "
        "TIMESTAMP '2023-12-31 18:00:00' + to_minutes(i * 37) AS ts, "
        "CAST(i * 3 % 50 AS DOUBLE) AS amount, CASE WHEN i % 3 = 0 THEN 'gift' ELSE 'std' END AS kind "
        "FROM range(0, 200) r(i)"
    )
    conn.execute("CREATE TABLE sales.customers AS SELECT i AS id, 'c' || i AS name FROM range(0, 10) r(i)")
    conn.execute("CREATE TABLE sales.blocked AS SELECT i AS customer_id FROM range(0, 3) r(i)")
    yield conn
    conn.close()


def rows(db, sql: str) -> Counter:
    return Counter(tuple(r) for r in db.execute(to_duckdb(sql)).fetchall())


def rewrite_of(sql: str, rule: str, schema: Schema | None = None) -> Rewrite:
    findings = [f for f in analyze(sql, schema=schema).findings if f.rule == rule]
    assert findings, f"{rule} did not report"
    rewrite = next(f.rewrite for f in findings if f.rewrite)
    sqlglot.parse_one(rewrite.after, read="databricks")
    return rewrite


EQUIVALENT = [
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE year(order_date) = 2024"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE year(ts) >= 2024"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE year(ts) < 2024 OR kind = 'gift'"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE 2023 = year(order_date)"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE year(order_date) BETWEEN 2023 AND 2023"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE date(ts) = '2024-01-03'"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE to_date(ts) > '2024-01-03'"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE CAST(ts AS DATE) <= DATE '2024-01-02'"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE CAST(ts AS DATE) < '2024-01-02'"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE date(ts) BETWEEN '2024-01-01' AND '2024-01-04'"),
    ("non_sargable_predicate", "SELECT id FROM sales.orders WHERE NOT (to_date(ts) = '2024-01-03')"),
    ("non_sargable_predicate", "SELECT count(*) FROM sales.orders WHERE date(ts) >= date_sub(DATE '2024-01-10', 3)"),
    ("distinct_with_group_by", "SELECT DISTINCT customer_id, sum(amount) FROM sales.orders GROUP BY customer_id"),
    ("distinct_with_group_by", "SELECT DISTINCT customer_id, kind, count(*) FROM sales.orders GROUP BY 1, 2"),
]


@pytest.mark.parametrize(("rule", "sql"), EQUIVALENT)
def test_equivalent_rewrites_return_the_same_rows(db, rule: str, sql: str) -> None:
    rewrite = rewrite_of(sql, rule)
    assert rewrite.equivalent
    before, after = rows(db, sql), rows(db, rewrite.after)
    assert before == after
    assert sum(before.values()) > 0  # the comparison is not vacuous


def test_date_rewrite_compares_the_bare_column() -> None:
    after = rewrite_of("SELECT id FROM t WHERE year(d) = 2024", "non_sargable_predicate").after
    tree = sqlglot.parse_one(after, read="databricks")
    assert not list(tree.find_all(sqlglot.exp.Year))
    assert "2024-01-01" in after and "2025-01-01" in after


def test_distinct_is_kept_when_keys_are_not_all_selected() -> None:
    analysis = analyze("SELECT DISTINCT customer_id FROM sales.orders GROUP BY customer_id, kind")
    (finding,) = [f for f in analysis.findings if f.rule == "distinct_with_group_by"]
    assert finding.rewrite is None  # dropping DISTINCT would change the rows


def test_not_exists_rewrite_equal_without_nulls_and_flagged(db) -> None:
    sql = "SELECT id FROM sales.orders WHERE customer_id NOT IN (SELECT customer_id FROM sales.blocked)"
    rewrite = rewrite_of(sql, "not_in_subquery")
    assert not rewrite.equivalent and "NULL" in rewrite.note
    assert "NOT EXISTS" in rewrite.after.upper()
    assert rows(db, sql) == rows(db, rewrite.after)


def test_not_exists_rewrite_of_a_grouped_subquery(db) -> None:
    sql = (
        "SELECT c.id FROM sales.customers c WHERE c.id NOT IN "
        "(SELECT customer_id FROM sales.orders GROUP BY customer_id HAVING sum(amount) > 700)"
    )
    rewrite = rewrite_of(sql, "not_in_subquery")
    assert rows(db, sql) == rows(db, rewrite.after)


def test_not_exists_differs_with_nulls_which_is_why_it_is_not_claimed(db) -> None:
    db.execute("CREATE OR REPLACE TABLE sales.blocked_null AS SELECT * FROM (VALUES (1), (NULL)) v(customer_id)")
    sql = "SELECT id FROM sales.orders WHERE customer_id NOT IN (SELECT customer_id FROM sales.blocked_null)"
    rewrite = rewrite_of(sql, "not_in_subquery")
    assert sum(rows(db, sql).values()) == 0  # the null trap
    assert sum(rows(db, rewrite.after).values()) > 0


def test_union_all_equal_when_branches_are_disjoint(db) -> None:
    sql = "SELECT id FROM sales.orders WHERE id < 50 UNION SELECT id FROM sales.orders WHERE id >= 150"
    rewrite = rewrite_of(sql, "union_distinct")
    assert not rewrite.equivalent and "duplicates" in rewrite.note
    assert "UNION ALL" in rewrite.after
    assert rows(db, sql) == rows(db, rewrite.after)


def test_approx_count_distinct_is_close_and_flagged(db) -> None:
    sql = "SELECT count(DISTINCT id) FROM sales.orders"
    rewrite = rewrite_of(sql, "count_distinct")
    assert not rewrite.equivalent and "pprox" in rewrite.note
    exact = db.execute(to_duckdb(sql)).fetchone()[0]
    approx = db.execute(to_duckdb(rewrite.after)).fetchone()[0]
    assert exact == 200 and abs(approx - exact) / exact <= 0.1


def test_tablesample_rewrite_returns_a_sample_of_the_same_size(db) -> None:
    sql = "SELECT id, amount FROM sales.orders ORDER BY rand() LIMIT 15"
    rewrite = rewrite_of(sql, "order_by_rand")
    assert "TABLESAMPLE" in rewrite.after and "rand" not in rewrite.after.lower()
    sample = db.execute(to_duckdb(rewrite.after)).fetchall()
    table = {tuple(r) for r in db.execute("SELECT id, amount FROM sales.orders").fetchall()}
    assert len(sample) == 15 and all(tuple(r) in table for r in sample)


def test_select_star_expands_from_a_known_schema(db) -> None:
    cols = [r[0] for r in db.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position"
    ).fetchall()]
    schema = Schema({"main.sales.orders": cols, "sales.customers": ["id", "name"]})
    for sql in [
        "SELECT * FROM main.sales.orders WHERE amount > 10",
        "SELECT o.*, c.name FROM sales.orders o JOIN sales.customers c ON c.id = o.customer_id",
        "SELECT * EXCEPT (kind) FROM sales.orders",
    ]:
        rewrite = rewrite_of(sql, "select_star", schema)
        assert rewrite.equivalent and "*" not in rewrite.after
        assert rows(db, sql.replace("main.", "")) == rows(db, rewrite.after.replace("main.", ""))
        before_cols = [d[0] for d in db.execute(to_duckdb(sql.replace("main.", ""))).description]
        after_cols = [d[0] for d in db.execute(to_duckdb(rewrite.after.replace("main.", ""))).description]
        assert before_cols == after_cols


def test_select_star_without_schema_has_no_rewrite() -> None:
    (finding,) = [f for f in analyze("SELECT * FROM sales.orders").findings if f.rule == "select_star"]
    assert finding.rewrite is None
