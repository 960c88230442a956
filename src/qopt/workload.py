"""Questions about the workload, answered on any Warehouse: windows, recurring queries, attributed costs.

Every skill that shows a cost or groups recurring statements goes through here, so the cost attribution
(`queries/attribution.sql`) and the grouping (`queries/runs.sql` + the fingerprint) are used the same way
everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any, Literal

import sqlglot
from sqlglot import exp

from qopt.queries import load
from qopt.warehouse.base import Result, Warehouse

HOUR = timedelta(hours=1)
# Statements that started this long before a window still count for the hours they ran inside it.
LOOKBACK = timedelta(days=1)

Order = Literal["cost", "duration", "runs", "spill"]
# Each names a column of top.sql and the RecurringQuery attribute of the same name.
ORDER_COLUMNS: dict[str, str] = {
    "cost": "cost_usd",
    "duration": "total_duration_ms",
    "runs": "runs",
    "spill": "spilled_bytes",
}


def floor_hour(moment: datetime) -> datetime:
    moment = moment.astimezone(timezone.utc)
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC on whole hours. `last_days(now, 7)` is the 7×24 complete hours before now."""

    start: datetime
    end: datetime

    @classmethod
    def last_days(cls, now: datetime, days: int) -> "Window":
        end = floor_hour(now)
        return cls(end - timedelta(days=days), end)

    @classmethod
    def around(cls, start: datetime, end: datetime) -> "Window":
        """The whole hours that cover [start, end]."""
        last = floor_hour(end)
        return cls(floor_hour(start), last + HOUR)

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)

    def previous(self) -> "Window":
        return Window(self.start - (self.end - self.start), self.start)

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "start_ms": _ms(self.start),
            "end_ms": _ms(self.end),
            "scan_start": self.start - LOOKBACK,
            "start_date": self.start.date(),
            "end_date": (self.end - timedelta(microseconds=1)).date(),
        }


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True)
class Scope:
    """Filters a user asked for, and the workspaces access control allows (`qopt.policy`).

    `workspaces` is the allow-list: None = every workspace, () = none. It travels as the list parameter
    `:workspaces` (`col IN (:workspaces)`, expanded to one parameter per id by `qopt.warehouse.lists`).
    """

    user: str | None = None
    warehouse: str | None = None
    workspace: str | None = None
    workspaces: tuple[str, ...] | None = None

    def params(self) -> dict[str, Any]:
        return {"user": self.user, "warehouse": self.warehouse, "workspace": self.workspace,
                "workspaces": None if self.workspaces is None else list(self.workspaces)}


@dataclass
class RecurringQuery:
    """One recurring statement: every run whose text is the same modulo literals."""

    fingerprint: str
    masked: str
    runs: int
    cost_usd: float
    total_duration_ms: float
    p50_duration_ms: float
    p95_duration_ms: float
    spilled_bytes: float
    read_bytes: float
    failures: int
    users: list[str]
    main_user: str | None  # the user with the most runs
    warehouse_id: str | None
    warehouses: int
    sample_text: str
    last_statement_id: str
    first_seen: datetime
    last_seen: datetime
    group_keys: list[str] = field(default_factory=list)

    @property
    def owner(self) -> str:
        """Who runs it: the main user, and how many others do."""
        main = self.main_user or (self.users[0] if self.users else "–")
        others = len(self.users) - 1
        return main if others <= 0 else f"{main} +{others}"


async def run(warehouse: Warehouse, name: str, params: Mapping[str, Any], *, tag: str) -> Result:
    """Run one of the `.sql` files of `qopt.queries` with its parameters."""
    return await warehouse.query(load(name), params, tag=tag)


@cache
def _ordered(name: str, column: str, tiebreak: str) -> str:
    """`<name>.sql` with `ORDER BY column DESC, tiebreak LIMIT :row_limit` appended (names from fixed lists).

    The tie-break keeps answers identical from run to run (and between warehouses) when values tie at the limit.
    """
    tree = sqlglot.parse_one(load(name), read="databricks")
    tree = tree.order_by(exp.column(column).desc(), exp.column(tiebreak), copy=False)
    tree = tree.limit(exp.Placeholder(this="row_limit"), copy=False)
    return tree.sql(dialect="databricks")


async def recurring_queries(
    warehouse: Warehouse,
    window: Window,
    scope: Scope = Scope(),
    *,
    order: Order = "cost",
    limit: int = 10,
    tag: str = "top",
) -> list[RecurringQuery]:
    """The top recurring statements of the window by `order`, with attributed cost."""
    from qopt.recommend.fingerprint import fingerprint

    column = ORDER_COLUMNS[order]
    params = {**window.params(), **scope.params(), "group_key": None, "row_limit": limit * 3 + 20}
    result = await warehouse.query(_ordered("top", column, "group_key"), params, tag=tag)
    merged: dict[str, RecurringQuery] = {}
    for row in result.dicts():
        fp = fingerprint(row["sample_text"] or "")
        item = _recurring(fp.id, fp.masked, row)
        seen = merged.get(fp.id)
        merged[fp.id] = item if seen is None else _merge(seen, item)
    return sorted(merged.values(), key=lambda q: (-getattr(q, column), q.fingerprint))[:limit]


def _recurring(fp_id: str, masked: str, row: dict[str, Any]) -> RecurringQuery:
    return RecurringQuery(
        fingerprint=fp_id,
        masked=masked,
        runs=int(row["runs"]),
        cost_usd=float(row["cost_usd"] or 0),
        total_duration_ms=float(row["total_duration_ms"] or 0),
        p50_duration_ms=float(row["p50_duration_ms"] or 0),
        p95_duration_ms=float(row["p95_duration_ms"] or 0),
        spilled_bytes=float(row["spilled_bytes"] or 0),
        read_bytes=float(row["read_bytes"] or 0),
        failures=int(row["failures"] or 0),
        users=sorted(u for u in (row["user_list"] or []) if u),
        main_user=row.get("main_user"),
        warehouse_id=row["warehouse_id"],
        warehouses=int(row["warehouses"] or 0),
        sample_text=row["sample_text"] or "",
        last_statement_id=row["last_statement_id"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        group_keys=[row["group_key"]],
    )


def _merge(a: RecurringQuery, b: RecurringQuery) -> RecurringQuery:
    """Two normalized texts with one fingerprint (e.g. keyword case): sums add; percentiles take the larger."""
    latest = a if a.last_seen >= b.last_seen else b
    return replace(
        latest,
        runs=a.runs + b.runs,
        cost_usd=a.cost_usd + b.cost_usd,
        total_duration_ms=a.total_duration_ms + b.total_duration_ms,
        p50_duration_ms=max(a.p50_duration_ms, b.p50_duration_ms),
        p95_duration_ms=max(a.p95_duration_ms, b.p95_duration_ms),
        spilled_bytes=a.spilled_bytes + b.spilled_bytes,
        read_bytes=a.read_bytes + b.read_bytes,
        failures=a.failures + b.failures,
        users=sorted(set(a.users) | set(b.users)),
        warehouses=max(a.warehouses, b.warehouses),
        first_seen=min(a.first_seen, b.first_seen),
        group_keys=a.group_keys + b.group_keys,
    )


async def single_statements(
    warehouse: Warehouse, window: Window, scope: Scope = Scope(), *, order: Order = "cost", limit: int = 10
) -> list[dict[str, Any]]:
    """Single statements (not grouped) of the window, for `top --each`."""
    column = {"cost": "cost_usd", "duration": "total_duration_ms", "runs": "cost_usd", "spill": "spilled_bytes"}[order]
    params = {**window.params(), **scope.params(), "row_limit": limit}
    return (await warehouse.query(_ordered("single_runs", column, "statement_id"), params, tag="top")).dicts()


async def statement_cost(warehouse: Warehouse, statement_id: str, window: Window, scope: Scope = Scope()) -> float:
    """The attributed cost of one statement over the hours of `window` (which should cover its run)."""
    params = {**window.params(), **scope.params(), "statement_id": statement_id}
    result = await warehouse.query(load("statement_cost"), params, tag="query")
    return float(result.scalar() or 0.0)


def month_bounds(day: date) -> tuple[date, date]:
    """First day of `day`'s month and first day of the next month."""
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt
