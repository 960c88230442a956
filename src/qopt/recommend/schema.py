"""Table columns for the rules that need them (the `select_star` rewrite).

`Schema` is a plain mapping from table names to their columns in order. `InformationSchemaProvider` fills one
for the tables a statement reads, from `system.information_schema.columns` through the Warehouse protocol
(Databricks; on the embedded warehouse the dialect step maps it to DuckDB's own `information_schema`, and
`main.sales.orders` is stored as `sales.orders`, so the catalog is matched only when it tells tables apart).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from importlib import resources

from sqlglot import exp

from qopt.errors import QoptError
from qopt.recommend.rules._ast import is_base_table
from qopt.warehouse.base import Warehouse

log = logging.getLogger(__name__)


def _key(name: str) -> tuple[str, ...]:
    return tuple(p.strip("`").lower() for p in name.split(".") if p)


class Schema:
    """Columns by table. Lookups match on the trailing parts of the name: `sales.orders` finds
    `main.sales.orders` when only one table matches."""

    def __init__(self, tables: Mapping[str, Sequence[str]] | None = None) -> None:
        self._tables: dict[tuple[str, ...], list[str]] = {}
        for name, cols in (tables or {}).items():
            self.add(name, cols)

    def add(self, name: str | tuple[str, ...], columns: Sequence[str]) -> None:
        key = _key(name) if isinstance(name, str) else tuple(p.lower() for p in name if p)
        self._tables[key] = list(columns)

    def __len__(self) -> int:
        return len(self._tables)

    def lookup(self, parts: Sequence[str]) -> list[str] | None:
        wanted = tuple(p.lower() for p in parts if p)
        if not wanted:
            return None
        if wanted in self._tables:
            return self._tables[wanted]
        hits = [
            cols
            for key, cols in self._tables.items()
            if key[-len(wanted) :] == wanted or wanted[-len(key) :] == key
        ]
        return hits[0] if len(hits) == 1 else None

    def columns(self, table: exp.Expression) -> list[str] | None:
        if not isinstance(table, exp.Table):
            return None
        return self.lookup([p.name for p in table.parts])


def _sql() -> str:
    return resources.files("qopt.recommend").joinpath("queries", "columns.sql").read_text(encoding="utf-8")


class InformationSchemaProvider:
    """Reads columns from `information_schema.columns` with named parameters; caches per table name."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self._cache: dict[tuple[str, ...], list[str] | None] = {}

    async def columns(self, parts: Sequence[str]) -> list[str] | None:
        key = tuple(p.lower() for p in parts if p)
        if key in self._cache:
            return self._cache[key]
        *rest, table = key
        schema = rest[-1] if rest else None
        catalog = rest[-2] if len(rest) >= 2 else None
        try:
            result = await self.warehouse.query(_sql(), {"table": table, "schema": schema}, tag="recommend.schema")
        except QoptError as exc:
            log.info("no columns for %s: %s", ".".join(key), exc)
            self._cache[key] = None
            return None
        by_table: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
        for row in result.dicts():
            ident = (str(row["table_catalog"]).lower(), str(row["table_schema"]).lower(), str(row["table_name"]).lower())
            by_table.setdefault(ident, []).append((int(row["ordinal_position"]), str(row["column_name"])))
        if catalog is not None and len(by_table) > 1:
            by_table = {k: v for k, v in by_table.items() if k[0] == catalog}
        cols = [name for _, name in sorted(next(iter(by_table.values())))] if len(by_table) == 1 else None
        self._cache[key] = cols
        return cols

    async def for_tree(self, tree: exp.Expression) -> Schema:
        """A Schema holding the base tables `tree` reads (tables the warehouse does not know are left out)."""
        schema = Schema()
        for table in tree.find_all(exp.Table):
            if not is_base_table(table):
                continue
            parts = [p.name for p in table.parts]
            cols = await self.columns(parts)
            if cols:
                schema.add(tuple(parts), cols)
        return schema
