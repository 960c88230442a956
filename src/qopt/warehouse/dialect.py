"""Transpile Databricks-dialect SQL to DuckDB for the embedded warehouse.

SQL is written once, for Databricks. This module parses it with sqlglot, applies the small transforms DuckDB
needs (each a function from expression to expression, applied in order), and generates DuckDB SQL. Results
are cached by SQL text: skills run the same few statements over and over.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sqlglot
from sqlglot import exp

from qopt.errors import UsageError

Transform = Callable[[exp.Expression], exp.Expression]


def drop_system_catalog(tree: exp.Expression) -> exp.Expression:
    """`system.query.history` → `query.history`: DuckDB reserves the catalog name `system`."""
    for table in tree.find_all(exp.Table):
        if table.catalog and table.catalog.lower() == "system":
            table.set("catalog", None)
    return tree


# Applied in order to every statement. Later transforms may rely on earlier ones.
TRANSFORMS: list[Transform] = [
    drop_system_catalog,
]


@lru_cache(maxsize=1024)
def to_duckdb(sql: str) -> str:
    """Databricks SQL → DuckDB SQL (one statement). Raises UsageError when it does not parse."""
    try:
        trees = [t for t in sqlglot.parse(sql, read="databricks") if t is not None]
    except sqlglot.errors.ParseError as exc:
        raise UsageError(f"SQL does not parse: {_first_line(str(exc))}") from None
    if len(trees) != 1:
        raise UsageError("Give exactly one SQL statement.")
    tree = trees[0]
    for transform in TRANSFORMS:
        tree = transform(tree)
    return tree.sql(dialect="duckdb")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "parse error"
