"""Small pieces several skills share: the window and scope a request asks for, and warehouse names."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qopt.bot.request import Request
from qopt.bot.skill import Services
from qopt.queries import load
from qopt.workload import Scope, Window


def window_of(request: Request, services: Services, default_days: int = 7) -> Window:
    return Window.last_days(services.clock(), int(request.args.get("days") or default_days))


async def warehouse_names(services: Services, window: Window) -> dict[str, dict[str, Any]]:
    """warehouse_id → its latest configuration (name, size, type, ...)."""
    result = await services.warehouse.query(load("warehouses"), {"end": window.end}, tag="warehouses")
    return {row["warehouse_id"]: row for row in result.dicts()}


async def scope_of(request: Request, services: Services, window: Window) -> Scope:
    """The filters of a request; `--warehouse` takes an id or a name (case-insensitive)."""
    warehouse = request.args.get("warehouse")
    if warehouse:
        names = await warehouse_names(services, window)
        if warehouse not in names:
            by_name = {str(w["warehouse_name"]).lower(): wid for wid, w in names.items()}
            warehouse = by_name.get(warehouse.lower(), warehouse)
    return Scope(user=request.args.get("user"), warehouse=warehouse, workspace=request.args.get("workspace"))


def describe_window(window: Window) -> str:
    days = window.days
    span = f"{days:g} day" + ("" if days == 1 else "s")
    return f"last {span} ({_day(window.start)} – {_day(window.end)} UTC)"


def describe_scope(scope: Scope) -> str:
    parts = [f"user {scope.user}" if scope.user else "", f"warehouse {scope.warehouse}" if scope.warehouse else "",
             f"workspace {scope.workspace}" if scope.workspace else ""]
    return ", ".join(p for p in parts if p)


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


async def coverage(services: Services, window: Window) -> dict[str, Any]:
    """First and last statement start in the window, and how many statements it holds."""
    result = await services.warehouse.query(load("coverage"), window.params(), tag="coverage")
    return result.dicts()[0]


def coverage_note(window: Window, cover: dict[str, Any]) -> str | None:
    """A remark when the data starts well after the window does (e.g. `--days 365` on 90 days of history)."""
    first = cover.get("first_start")
    if first is not None and (first - window.start).total_seconds() > 86400:
        return f"The query history starts on {first:%Y-%m-%d}; the window reaches back further than the data."
    return None
