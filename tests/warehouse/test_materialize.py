"""A CTE read more than once is computed once on DuckDB (and the answer does not change)."""

import duckdb

from qopt.warehouse.dialect import to_duckdb

SQL = """
WITH numbers AS (SELECT explode(sequence(1, 10)) AS n),
     evens AS (SELECT n FROM numbers WHERE n % 2 = 0),
     once AS (SELECT max(n) AS top FROM numbers)
SELECT (SELECT count(*) FROM evens) AS evens, (SELECT sum(n) FROM evens) AS total, (SELECT top FROM once) AS top
"""


def test_shared_ctes_are_materialized_and_single_use_ones_are_not():
    duck = to_duckdb(SQL)
    assert "evens AS MATERIALIZED" in duck
    assert "numbers AS MATERIALIZED" in duck  # read by evens and by once
    assert "once AS MATERIALIZED" not in duck
    assert duckdb.connect().execute(duck).fetchone() == (5, 30, 10)


def test_a_table_with_the_same_name_in_a_schema_is_not_counted():
    duck = to_duckdb("WITH history AS (SELECT 1 AS x) SELECT * FROM history, system.query.history AS h")
    assert "MATERIALIZED" not in duck
