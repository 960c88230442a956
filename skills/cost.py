"""`cost`: spend over a window — total, change, by day or by a dimension, idle share and the forecast."""

from __future__ import annotations

import asyncio

from qopt import costs, policy
from qopt.bot import format as fmt
from qopt.bot.options import DAYS, SHARE, WORKSPACE, Option
from qopt.bot.reply import Context, Field_, Fields, Header, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from skills.common import coverage, coverage_note, describe_window, warehouse_names, window_of

BY = Option("by", "choice", None, "break the spend down", choices=costs.DIMENSIONS)
COLUMN = {"day": "day", "sku": "sku_name", "warehouse": "warehouse", "user": "user", "workspace": "workspace_id",
          "product": "product"}


class CostSkill(Skill):
    name = "cost"
    summary = "Spend over a window: total, change vs the previous window, by day or by sku/warehouse/user/workspace/product, idle share, month-end forecast."
    examples = ("cost", "cost --by user", "cost --days 30 --by warehouse", "cost --by sku --workspace 1234567890")
    options = (DAYS, BY, WORKSPACE, SHARE)
    aliases = ("spend",)

    async def run(self, request: Request, services: Services) -> Reply:
        window = window_of(request, services)
        scope = policy.access(request, services.settings).scope(workspace=request.args.get("workspace"))
        workspace, allowed = scope.workspace, scope.workspaces
        spent, cover, names = await asyncio.gather(
            costs.spend(services.warehouse, window, workspace=workspace, workspaces=allowed),
            coverage(services, window, request),
            warehouse_names(services, window, request),
        )
        use = await costs.warehouse_use(services.warehouse, window, workspaces=allowed)
        where = describe_window(window) + (f", workspace {workspace}" if workspace else "")
        if not spent.total and not spent.previous:
            text = f"No billed usage in the {where}."
            return Reply(text=text, blocks=[Header(text="Spend"), Text(text=text)])
        by = request.args.get("by")
        if by:
            return await self._breakdown(by, spent, use, names, services, window, scope, where)
        return _overview(spent, use, where, coverage_note(window, cover))

    async def _breakdown(self, by, spent, use, names, services, window, scope, where) -> Reply:
        if by == "user":
            workspaces = {wid: str(w["workspace_id"]) for wid, w in names.items()}
            values = await costs.cost_by_user(services.warehouse, window, spent, workspace=scope.workspace,
                                              warehouse_workspaces=workspaces, workspaces=scope.workspaces)
        else:
            values = {"day": spent.by_day, "sku": spent.by_sku, "warehouse": spent.by_warehouse,
                      "workspace": spent.by_workspace, "product": spent.by_product}[by]
        ordered = sorted(values.items(), key=lambda kv: kv[0]) if by == "day" else \
            sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0])))
        total = sum(values.values())
        columns = [COLUMN[by], "cost_usd", "share_pct"]
        rows: list[list] = []
        for key, cost in ordered:
            label = key.isoformat() if by == "day" else key
            row = [label, round(cost, 6), round(cost / total * 100, 2) if total else 0.0]
            if by == "warehouse":
                info = names.get(key)
                u = use.get(key)
                row[0] = info["warehouse_name"] if info else key
                row += [key if info else None, info["warehouse_size"] if info else None,
                        round(u.idle_share, 1) if u and u.idle_share is not None else None]
            rows.append(row)
        if by == "warehouse":
            columns += ["warehouse_id", "size", "idle_pct"]
        top_label, top_cost = (rows[0][0], rows[0][1]) if rows else ("–", 0)
        text = (f"Spend by {by} in the {where}: {fmt.money(total)} in total"
                + (f"; the largest is {top_label} at {fmt.money(top_cost)}." if by != "day" else "."))
        blocks = [
            Header(text=f"Spend by {by}"),
            Text(text=text),
            Table(columns=columns, rows=rows, units={"cost_usd": "usd", "share_pct": "pct", "idle_pct": "pct"}),
        ]
        if by == "user":
            blocks.append(Context(text=(
                "SQL warehouse cost is attributed to the statements that ran, by task time; idle warehouse time is "
                f"its own row; other compute goes to the identity that ran it. Rows add up to {fmt.money(total)}.")))
        return Reply(text=text, blocks=blocks)


def _overview(spent: costs.Spend, use: dict[str, costs.WarehouseUse], where: str, note: str | None) -> Reply:
    billed = sum(u.billed for u in use.values())
    idle = sum(u.idle for u in use.values())
    change = spent.change_pct
    change_text = "no previous data" if change is None else f"{change:+.1f}% vs the previous {spent.window.days:g} days"
    fields = [
        Field_(label="Total", value=round(spent.total, 2), unit="usd"),
        Field_(label="Previous window", value=round(spent.previous, 2), unit="usd"),
        Field_(label="Change", value=None if change is None else round(change, 1), unit="pct"),
        Field_(label="Idle SQL warehouse cost", value=round(idle, 2), unit="usd"),
        Field_(label="Idle share of SQL warehouse cost", value=round(idle / billed * 100, 1) if billed else None, unit="pct"),
        Field_(label=f"Month to date ({spent.month:%B})", value=round(spent.month_to_date, 2), unit="usd"),
        Field_(label="Month-end forecast", value=round(spent.forecast, 2), unit="usd"),
    ]
    text = f"Spend in the {where}: {fmt.money(spent.total)} ({change_text}). Month-end forecast {fmt.money(spent.forecast)}."
    days = Table(columns=["day", "cost_usd"], rows=[[d.isoformat(), round(c, 2)] for d, c in sorted(spent.by_day.items())],
                 units={"cost_usd": "usd"}, title="By day")
    method = (f"Forecast: month to date {fmt.money(spent.month_to_date)} + the average of the last "
              f"{costs.TRAILING_DAYS} complete days ({fmt.money(spent.daily_rate)}/day) × "
              f"{spent.remaining_days:.1f} remaining days. Prices: list prices.")
    blocks = [Header(text="Spend"), Text(text=text), Fields(fields=fields), days, Context(text=method)]
    if note:
        blocks.append(Context(text=note))
    return Reply(text=text, blocks=blocks)
