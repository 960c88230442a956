"""Spend over a window: totals, change, breakdowns, idle cost and the month-end forecast.

Billing is priced with list prices exactly as Databricks' own dashboards do (reference/system-tables.md).
The per-user view needs the cost attribution (`queries/attribution.sql`): each user's statements get their
share of warehouse cost, idle warehouse time is its own row, and non-warehouse billing goes to the identity
that ran it — so the rows always add up to the window's total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from qopt.queries import load
from qopt.warehouse.base import Warehouse
from qopt.workload import Window, month_bounds

Dimension = Literal["day", "sku", "warehouse", "user", "workspace", "product"]
DIMENSIONS: tuple[str, ...] = ("day", "sku", "warehouse", "user", "workspace", "product")
IDLE = "(idle warehouse time)"
NOT_A_WAREHOUSE = "(not a SQL warehouse)"
NO_USER = "(no user recorded)"
TRAILING_DAYS = 7


@dataclass
class Spend:
    window: Window
    total: float = 0.0
    previous: float = 0.0
    by_day: dict[date, float] = field(default_factory=dict)
    by_sku: dict[str, float] = field(default_factory=dict)
    by_product: dict[str, float] = field(default_factory=dict)
    by_workspace: dict[str, float] = field(default_factory=dict)
    by_warehouse: dict[str, float] = field(default_factory=dict)  # warehouse id, or NOT_A_WAREHOUSE
    non_warehouse_by_owner: dict[str, float] = field(default_factory=dict)
    month_to_date: float = 0.0
    daily_rate: float = 0.0  # average of the last TRAILING_DAYS complete days
    remaining_days: float = 0.0

    @property
    def change_pct(self) -> float | None:
        return None if not self.previous else (self.total - self.previous) / self.previous * 100

    @property
    def forecast(self) -> float:
        """Month-end forecast: month to date plus the trailing daily average for the rest of the month."""
        return self.month_to_date + self.daily_rate * self.remaining_days

    @property
    def month(self) -> date:
        return (self.window.end - timedelta(microseconds=1)).date().replace(day=1)


def _range_start(window: Window) -> datetime:
    """Earliest moment the spend rows must cover: previous window, month start, and the trailing days."""
    end_day = (window.end - timedelta(microseconds=1)).date()
    month_start = datetime.combine(month_bounds(end_day)[0], datetime.min.time(), window.end.tzinfo)
    trailing = datetime.combine(window.end.date() - timedelta(days=TRAILING_DAYS), datetime.min.time(), window.end.tzinfo)
    return min(window.previous().start, month_start, trailing)


async def spend(
    warehouse: Warehouse, window: Window, *, workspace: str | None = None, workspaces: Sequence[str] | None = None
) -> Spend:
    """Everything `cost` and the digest show, from one billing query. `workspaces`: the allow-list of
    `qopt.policy` (None = all), bound as a list parameter."""
    wide = Window(_range_start(window), window.end)
    params = {**wide.params(), "split": window.start, "previous_start": window.previous().start, "workspace": workspace,
              "workspaces": _listed(workspaces)}
    rows = (await warehouse.query(load("billing"), params, tag="cost")).dicts()
    out = Spend(window=window)
    buckets: dict[str, dict] = {
        "day": defaultdict(float), "sku": defaultdict(float), "product": defaultdict(float),
        "workspace": defaultdict(float), "warehouse": defaultdict(float), "owner": defaultdict(float),
    }
    per_day_all: dict[date, float] = defaultdict(float)
    first_of_month = out.month
    for row in rows:
        cost = float(row["cost_usd"] or 0.0)
        per_day_all[row["day"]] += cost
        if row["day"] >= first_of_month:
            out.month_to_date += cost
        if row["period"] == "previous":
            out.previous += cost
        if row["period"] != "current":
            continue
        out.total += cost
        buckets["day"][row["day"]] += cost
        buckets["sku"][row["sku_name"]] += cost
        buckets["product"][row["product"] or "UNKNOWN"] += cost
        buckets["workspace"][row["workspace_id"]] += cost
        buckets["warehouse"][row["warehouse_id"] or NOT_A_WAREHOUSE] += cost
        if not row["warehouse_id"]:
            buckets["owner"][row["owner"] or NO_USER] += cost
    out.by_day, out.by_sku, out.by_product = dict(buckets["day"]), dict(buckets["sku"]), dict(buckets["product"])
    out.by_workspace, out.by_warehouse = dict(buckets["workspace"]), dict(buckets["warehouse"])
    out.non_warehouse_by_owner = dict(buckets["owner"])
    end_day = window.end.date()
    complete = [end_day - timedelta(days=i) for i in range(1, TRAILING_DAYS + 1)]
    out.daily_rate = sum(per_day_all.get(d, 0.0) for d in complete) / TRAILING_DAYS
    next_month = datetime.combine(month_bounds(out.month)[1], datetime.min.time(), window.end.tzinfo)
    out.remaining_days = max(0.0, (next_month - window.end) / timedelta(days=1))
    return out


@dataclass
class WarehouseUse:
    warehouse_id: str
    billed: float
    attributed: float
    idle: float

    @property
    def idle_share(self) -> float | None:
        return None if not self.billed else self.idle / self.billed * 100


async def warehouse_use(
    warehouse: Warehouse, window: Window, *, workspaces: Sequence[str] | None = None
) -> dict[str, WarehouseUse]:
    """Billed, attributed and idle cost per SQL warehouse over the window (of the allowed workspaces)."""
    params = {**window.params(), "workspaces": _listed(workspaces)}
    rows = (await warehouse.query(load("warehouse_hours"), params, tag="cost")).dicts()
    return {
        r["warehouse_id"]: WarehouseUse(r["warehouse_id"], float(r["billed_usd"] or 0), float(r["attributed_usd"] or 0),
                                        float(r["idle_usd"] or 0))
        for r in rows
    }


async def cost_by_user(
    warehouse: Warehouse, window: Window, spent: Spend, *, workspace: str | None = None,
    warehouse_workspaces: dict[str, str] | None = None, workspaces: Sequence[str] | None = None,
) -> dict[str, float]:
    """Attributed warehouse cost per user, idle time as one row, non-warehouse billing by who ran it."""
    params = {**window.params(), "workspace": workspace, "workspaces": _listed(workspaces)}
    attributed = (await warehouse.query(load("user_attribution"), params, tag="cost")).dicts()
    out: dict[str, float] = defaultdict(float)
    for row in attributed:
        out[row["user_name"] or NO_USER] += float(row["cost_usd"] or 0.0)
    use = await warehouse_use(warehouse, window, workspaces=workspaces)
    idle = sum(
        u.idle for wid, u in use.items()
        if workspace is None or (warehouse_workspaces or {}).get(wid) == workspace
    )
    if idle:
        out[IDLE] += idle
    for owner, cost in spent.non_warehouse_by_owner.items():
        out[owner] += cost
    return dict(out)


def _listed(workspaces: Sequence[str] | None) -> list[str] | None:
    return None if workspaces is None else list(workspaces)
