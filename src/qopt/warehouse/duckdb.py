"""The embedded warehouse: a DuckDB file holding the system tables, queried in the Databricks dialect."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from qopt.errors import ServiceError, UsageError, WarehouseMissing
from qopt.warehouse.base import Result
from qopt.warehouse.dialect import to_duckdb
from qopt.warehouse.lists import expand_lists

HOW_TO_CREATE = "create it with `qopt demo-data` (or set QOPT_DUCKDB_PATH)"


class DuckDBWarehouse:
    """Read-only access to a DuckDB file. Each thread gets its own cursor; queries run off the event loop."""

    name = "duckdb"

    def __init__(self, path: Path | str, *, read_only: bool = True) -> None:
        self.path = Path(path)
        memory = str(path) == ":memory:"
        if not memory and not self.path.is_file():
            raise WarehouseMissing(f"No embedded warehouse at {self.path}: {HOW_TO_CREATE}.")
        try:
            self._conn = duckdb.connect(str(path), read_only=read_only and not memory)
        except duckdb.Error as exc:
            if "lock" in str(exc).lower():
                raise ServiceError(
                    f"The embedded warehouse {self.path} is in use by another process (is `qopt demo-data` still "
                    "writing it?): try again when it has finished."
                ) from None
            raise WarehouseMissing(f"{self.path} is not a DuckDB file: {HOW_TO_CREATE}.") from None
        try:
            self._conn.execute("SET TimeZone = 'UTC'")
            missing = _missing_tables(self._conn)
        except duckdb.Error as exc:
            self._conn.close()
            raise WarehouseMissing(f"{self.path} is not a qopt warehouse ({_first_line(exc)}): {HOW_TO_CREATE}.") from None
        if missing:
            self._conn.close()
            raise WarehouseMissing(
                f"{self.path} is not a qopt warehouse (no table {', '.join(missing)}): {HOW_TO_CREATE}."
            )
        self._local = threading.local()

    @classmethod
    def from_connection(cls, conn: duckdb.DuckDBPyConnection) -> "DuckDBWarehouse":
        """Wrap an open connection (tests and the generator)."""
        self = cls.__new__(cls)
        self.path = Path(":memory:")
        self._conn = conn
        self._conn.execute("SET TimeZone = 'UTC'")
        self._local = threading.local()
        return self

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._conn.cursor()
            cursor.execute("SET TimeZone = 'UTC'")
            self._local.cursor = cursor
        return cursor

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Result:
        """Synchronous form: expand list parameters, transpile, bind named parameters, fetch everything."""
        sql, params = expand_lists(sql, params)
        duck_sql = to_duckdb(sql)
        used = _parameter_names(duck_sql)
        try:
            cursor = self._cursor()
            cursor.execute(duck_sql, {k: v for k, v in (params or {}).items() if k in used})
            columns = [d[0] for d in cursor.description or []]
            return Result(columns, cursor.fetchall())
        except duckdb.BinderException as exc:
            raise UsageError(f"SQL error: {_first_line(exc)}") from None
        except (duckdb.ParserException, duckdb.InvalidInputException) as exc:  # bad SQL, regex, missing parameter
            raise UsageError(f"SQL error: {_first_line(exc)}") from None
        except duckdb.Error as exc:
            raise ServiceError(f"The embedded warehouse failed: {_first_line(exc)}") from None

    async def query(self, sql: str, params: Mapping[str, Any] | None = None, *, tag: str | None = None) -> Result:
        return await asyncio.to_thread(self.execute, sql, params)

    async def ping(self) -> None:
        await self.query("SELECT 1")

    async def close(self) -> None:
        self._conn.close()


# The seven system tables of reference/system-tables.md; compute.warehouse_events is optional.
REQUIRED_TABLES = (
    "query.history", "billing.usage", "billing.list_prices", "compute.warehouses", "compute.clusters",
    "lakeflow.jobs", "lakeflow.job_run_timeline",
)


def _missing_tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    present = {
        f"{schema}.{table}"
        for schema, table in conn.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    }
    return [name for name in REQUIRED_TABLES if name not in present]


@lru_cache(maxsize=1024)
def _parameter_names(duck_sql: str) -> frozenset[str]:
    """Named parameters in DuckDB SQL (`$name`); DuckDB refuses values for names the statement lacks."""
    return frozenset(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", duck_sql))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
