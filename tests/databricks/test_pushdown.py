"""Pushdown: every shipped query filters each large system table on its time column and reads named columns only.

On Databricks the system tables are large Delta tables partitioned and clustered by time; a filter on the time
column lets the warehouse skip files, and naming columns lets it read only those. This test reads every
`src/qopt/queries/*.sql` and checks each reference to a large system table. Small slowly-changing tables
(prices, warehouse and job configurations) are read whole on purpose: their history is what maps an hour to its
price or size.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

import qopt.queries

QUERIES = sorted(Path(qopt.queries.__file__).parent.glob("*.sql"))
TIME_COLUMNS = {
    "query.history": {"start_time", "end_time", "update_time"},
    "billing.usage": {"usage_date", "usage_start_time", "usage_end_time"},
    "compute.warehouse_events": {"event_time"},
    "lakeflow.job_run_timeline": {"period_start_time", "period_end_time"},
}
# (file, table) pairs allowed to select every column, and why.
STAR_ALLOWED = {
    ("statement.sql", "query.history"): "the `query` skill shows one statement's full row",
    ("attribution.sql", "compute.warehouse_events"): "six columns, all of them used",
}


def _system_tables(tree: exp.Expression):
    for table in tree.find_all(exp.Table):
        if table.catalog.lower() == "system":
            yield table, f"{table.db.lower()}.{table.name.lower()}"


def _conditions(select: exp.Select) -> list[exp.Expression]:
    found = [select.args["where"]] if select.args.get("where") else []
    found += [j.args["on"] for j in select.args.get("joins") or [] if j.args.get("on")]
    return found


def _filtered_on(table: exp.Table, names: set[str]) -> bool:
    """A condition on one of `names` in the table's own SELECT or in the one wrapping it (a derived table)."""
    select = table.find_ancestor(exp.Select)
    for _ in range(2):
        if select is None:
            return False
        for condition in _conditions(select):
            if any(c.name.lower() in names for c in condition.find_all(exp.Column)):
                return True
        select = select.parent.find_ancestor(exp.Select) if select.parent else None
    return False


def _selects_star(table: exp.Table) -> bool:
    select = table.find_ancestor(exp.Select)
    return any(isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star)) for e in select.expressions)


def test_there_are_queries():
    assert QUERIES


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_large_system_tables_are_filtered_on_time(path):
    tree = sqlglot.parse_one(path.read_text(), read="databricks")
    for table, name in _system_tables(tree):
        if name in TIME_COLUMNS:
            assert _filtered_on(table, TIME_COLUMNS[name]), (
                f"{path.name}: system.{name} is read without a filter on {sorted(TIME_COLUMNS[name])}"
            )


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_system_tables_are_read_by_named_columns(path):
    tree = sqlglot.parse_one(path.read_text(), read="databricks")
    for table, name in _system_tables(tree):
        if (path.name, name) not in STAR_ALLOWED:
            assert not _selects_star(table), f"{path.name}: SELECT * over system.{name}; name the columns"


def test_the_check_catches_a_missing_filter():
    tree = sqlglot.parse_one("SELECT statement_id FROM system.query.history WHERE executed_by = :u", read="databricks")
    table, name = next(_system_tables(tree))
    assert not _filtered_on(table, TIME_COLUMNS[name])
