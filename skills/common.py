"""Small pieces several skills share: the window and scope a request asks for, and warehouse names."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qopt import policy
from qopt.bot.request import Request
from qopt.bot.skill import Services
from qopt.queries import load
from qopt.workload import Scope, Window


def window_of(request: Request, services: Services, default_days: int = 7) -> Window:
    return Window.last_days(services.clock(), int(request.args.get("days") or default_days))


def allowed_workspaces(request: Request, services: Services) -> list[str] | None:
    """The asker's workspace allow-list from `qopt.policy` (None = all), as the `:workspaces` list parameter."""
    workspaces = policy.access(request, services.settings).workspaces
    return None if workspaces is None else list(workspaces)


async def warehouse_names(
    services: Services, window: Window, request: Request | None = None
) -> dict[str, dict[str, Any]]:
    """warehouse_id → its latest configuration (name, size, type, ...), of the workspaces the asker may see."""
    params = {"end": window.end, "workspaces": allowed_workspaces(request, services) if request else None}
    result = await services.warehouse.query(load("warehouses"), params, tag="warehouses")
    return {row["warehouse_id"]: row for row in result.dicts()}


async def scope_of(request: Request, services: Services, window: Window) -> Scope:
    """The filters of a request plus the workspaces `qopt.policy` allows; `--warehouse` takes an id or a name
    (case-insensitive). Raises `AccessDenied` for a workspace the asker may not see."""
    access = policy.access(request, services.settings)
    access.require_mapped()
    warehouse = request.args.get("warehouse")
    if warehouse:
        names = await warehouse_names(services, window, request)
        if warehouse not in names:
            by_name = {str(w["warehouse_name"]).lower(): wid for wid, w in names.items()}
            warehouse = by_name.get(warehouse.lower(), warehouse)
    return access.scope(user=request.args.get("user"), warehouse=warehouse, workspace=request.args.get("workspace"))


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


async def coverage(services: Services, window: Window, request: Request | None = None) -> dict[str, Any]:
    """First and last statement start in the window, and how many statements it holds (allowed workspaces)."""
    params = {**window.params(), "workspaces": allowed_workspaces(request, services) if request else None}
    result = await services.warehouse.query(load("coverage"), params, tag="coverage")
    return result.dicts()[0]


def coverage_note(window: Window, cover: dict[str, Any]) -> str | None:
    """A remark when the data starts well after the window does (e.g. `--days 365` on 90 days of history)."""
    first = cover.get("first_start")
    if first is not None and (first - window.start).total_seconds() > 86400:
        return f"The query history starts on {first:%Y-%m-%d}; the window reaches back further than the data."
    return None
