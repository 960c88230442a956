"""The Warehouse protocol: Databricks-dialect SQL and named parameters in, typed rows out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows and self.rows[0] else None


@runtime_checkable
class Warehouse(Protocol):
    """SQL is written in the Databricks dialect with `:name` markers; values travel only as parameters."""

    name: str

    async def query(self, sql: str, params: Mapping[str, Any] | None = None, *, tag: str | None = None) -> Result:
        """Run one statement and return all rows. `tag` names the caller (Databricks `query_tags`)."""
        ...

    async def ping(self) -> None:
        """Raise if the warehouse cannot answer."""
        ...

    async def close(self) -> None: ...
