"""List parameters: `col IN (:names)` with a list value becomes `col IN (:names_0, :names_1, ...)`.

The Databricks Statement Execution API and DuckDB bind scalars only, so a list travels as one named parameter per
element; the SQL is rewritten with sqlglot placeholders, never by formatting values into the text. The value
decides the shape:

- a list, tuple or set of n > 0 values: `col IN (:names_0, ..., :names_{n-1})`, each element its own parameter;
- an empty list: the predicate becomes FALSE (nothing matches);
- None, or the parameter absent: the predicate becomes TRUE (no restriction) — the same convention as the
  `(:workspace IS NULL OR ...)` filters of `qopt.queries`.

Only a placeholder that is the sole element of an `IN (...)` is treated as a list; every other placeholder is left
alone. Rewrites are cached per (statement, list lengths).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

ListShape = tuple[tuple[str, int | None], ...]  # (name, length or None for "no restriction")


def list_parameters(sql: str) -> frozenset[str]:
    """Names of the placeholders used as `IN (:name)` in `sql` (cheap check first: most statements have none)."""
    if " IN (:" not in sql.upper() and "IN(:" not in sql.upper():
        return frozenset()
    return _list_names(sql)


@lru_cache(maxsize=256)
def _list_names(sql: str) -> frozenset[str]:
    tree = sqlglot.parse_one(sql, read="databricks")
    return frozenset(name for node in tree.find_all(exp.In) if (name := _sole_placeholder(node)))


def expand_lists(sql: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """Rewrite `IN (:name)` for list parameters; returns the SQL and the parameters to bind."""
    params = dict(params or {})
    names = list_parameters(sql)
    if not names:
        return sql, params
    shape: list[tuple[str, int | None]] = []
    for name in sorted(names):
        value = params.pop(name, None)
        if value is None:
            shape.append((name, None))
            continue
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            value = [value]  # a single value is a list of one
        values = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        shape.append((name, len(values)))
        for i, item in enumerate(values):
            params[f"{name}_{i}"] = item
    return _rewrite(sql, tuple(shape)), params


@lru_cache(maxsize=512)
def _rewrite(sql: str, shape: ListShape) -> str:
    sizes = dict(shape)
    tree = sqlglot.parse_one(sql, read="databricks")

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.In):
            name = _sole_placeholder(node)
            if name in sizes:
                size = sizes[name]
                if size is None:
                    return exp.true()
                if size == 0:
                    return exp.false()
                return exp.In(this=node.this, expressions=[exp.Placeholder(this=f"{name}_{i}") for i in range(size)])
        return node

    return tree.transform(replace).sql(dialect="databricks")


def _sole_placeholder(node: exp.In) -> str | None:
    items = node.expressions
    if node.args.get("query") is None and len(items) == 1 and isinstance(items[0], exp.Placeholder):
        name = items[0].this
        return str(name) if name else None
    return None
