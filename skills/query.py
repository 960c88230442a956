"""`query <statement_id>`: one statement — status, where the time went, I/O, cost and its recurring history."""

from __future__ import annotations

import asyncio
from typing import Any

from qopt import policy
from qopt.bot import format as fmt
from qopt.bot.options import Option
from qopt.bot.reply import Actions, Button, Code, Context, Field_, Fields, Header, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from qopt.errors import UsageError
from qopt.queries import load
from qopt.recommend.render import with_findings
from qopt.workload import Scope, Window, statement_cost

DAYS = Option("days", "int", 30, "how far back to look for the statement", min=1, max=365, metavar="N")
SQL = Option("sql", "flag", False, "show only the statement's SQL")
SHARE = Option("share", "flag", False, "post for everyone; an admin's --share also shows the full SQL in a channel")
PHASES = (
    ("Waiting for compute", "waiting_for_compute_duration_ms"),
    ("Compilation", "compilation_duration_ms"),
    ("Queued at capacity", "waiting_at_capacity_duration_ms"),
    ("Execution", "execution_duration_ms"),
    ("Result fetch", "result_fetch_duration_ms"),
)


class QuerySkill(Skill):
    name = "query"
    summary = "One statement: status, time breakdown, bytes/rows/files read and pruned, spill, cost, masked SQL and its history."
    examples = ("query 01f0c2a4-5b6e-1c3d-9f00-2a1b3c4d5e6f",)
    positional = "<statement_id>"
    options = (DAYS, SQL, SHARE)
    aliases = ("statement", "details")

    async def run(self, request: Request, services: Services) -> Reply:
        if not request.positionals:
            raise UsageError("Which statement? Usage: `query <statement_id>` (ids are in `top --each`).")
        statement_id = request.positionals[0].strip()
        window = Window.last_days(services.clock(), int(request.args["days"]))
        access = policy.access(request, services.settings)
        scope = access.scope()  # only statements of the workspaces the asker may see
        params = {**window.params(), **scope.params(), "statement_id": statement_id}
        rows = (await services.warehouse.query(load("statement"), params, tag="query")).dicts()
        if not rows:
            shown = statement_id if len(statement_id) <= 60 else statement_id[:59] + "…"
            raise UsageError(f"No statement `{shown}` in the last {request.args['days']} days. "
                             "Check the id, or look further back with `--days 90`.")
        row = rows[0]
        from qopt.recommend.fingerprint import fingerprint

        fp = fingerprint(row["statement_text"] or "")
        may_see = access.may_see_statement_text(row["executed_by"])
        sql_block = Code(text=row["statement_text"] if may_see else fp.masked)
        if request.args["sql"]:
            label = "Full SQL" if may_see else "Masked SQL (literals shown as ?; full text only in a DM to its author)"
            return Reply(text=f"SQL of {statement_id}", blocks=[Header(text=f"SQL of {statement_id}"), Text(text=label), sql_block])

        run_window = Window.around(row["start_time"], row["end_time"] or row["start_time"])
        cost, history, daily = await asyncio.gather(
            statement_cost(services.warehouse, statement_id, run_window, scope),
            _fingerprint_totals(services, window, row["group_key"], scope),
            _fingerprint_daily(services, window, row["group_key"], scope),
        )
        reply = _reply(row, fp.id, cost, history, daily, sql_block, may_see, int(request.args["days"]))
        return with_findings(reply, row, services.settings, cost_usd=cost, show_text=may_see)


async def _fingerprint_totals(services: Services, window: Window, group_key: str, scope: Scope) -> dict[str, Any] | None:
    params = {**window.params(), **scope.params(), "group_key": group_key}
    rows = (await services.warehouse.query(load("top"), params, tag="query")).dicts()
    return rows[0] if rows else None


async def _fingerprint_daily(services: Services, window: Window, group_key: str, scope: Scope) -> list[dict[str, Any]]:
    params = {**window.params(), **scope.params(), "group_key": group_key}
    return (await services.warehouse.query(load("daily_runs"), params, tag="query")).dicts()


def _reply(row, fp_id, cost, history, daily, sql_block, may_see, days) -> Reply:
    sid = row["statement_id"]
    row["warehouse_id"] = (row.get("compute") or {}).get("warehouse_id")
    status = row["execution_status"]
    total = row["total_duration_ms"] or 0
    read_files, pruned = row["read_files"] or 0, row["pruned_files"] or 0
    pruning = pruned / (pruned + read_files) * 100 if (pruned + read_files) else None
    text = (f"Statement {sid}: {status}, {fmt.duration(total)}, attributed cost {fmt.money(cost)}, "
            f"run by {row['executed_by']} on warehouse {row['warehouse_id'] or '–'}.")
    blocks: list = [
        Header(text=f"Statement {sid[:36]}"),
        Text(text=text),
        Fields(fields=[
            Field_(label="Status", value=status),
            Field_(label="User", value=row["executed_by"]),
            Field_(label="Warehouse", value=row["warehouse_id"]),
            Field_(label="Started", value=row["start_time"].strftime("%Y-%m-%d %H:%M:%S UTC")),
            Field_(label="Total duration", value=total, unit="ms"),
            Field_(label="Attributed cost", value=round(cost, 4), unit="usd"),
            Field_(label="Source", value=_source(row)),
            Field_(label="From result cache", value=bool(row["from_result_cache"])),
        ]),
    ]
    if row.get("error_message"):  # error messages can quote the statement's literals: the same rule as its text
        blocks.append(Text(text=f"*Error:* {row['error_message'][:500]}" if may_see else
                           "*Error:* (hidden here: error messages can quote the statement's text)"))
    phases = [[label, row[col] or 0, round((row[col] or 0) / total * 100, 1) if total else 0.0] for label, col in PHASES]
    blocks.append(Table(title="Where the time went", columns=["phase", "duration_ms", "share_pct"], rows=phases,
                        units={"duration_ms": "ms", "share_pct": "pct"}))
    blocks.append(Fields(fields=[
        Field_(label="Read", value=row["read_bytes"], unit="bytes"),
        Field_(label="Rows read", value=row["read_rows"], unit="count"),
        Field_(label="Rows produced", value=row["produced_rows"], unit="count"),
        Field_(label="Files read", value=read_files, unit="count"),
        Field_(label="Files pruned", value=pruned, unit="count"),
        Field_(label="Pruned share", value=None if pruning is None else round(pruning, 1), unit="pct"),
        Field_(label="Spilled to disk", value=row["spilled_local_bytes"], unit="bytes"),
        Field_(label="Shuffle read", value=row["shuffle_read_bytes"], unit="bytes"),
        Field_(label="Written", value=row["written_bytes"], unit="bytes"),
        Field_(label="IO cache", value=row["read_io_cache_percent"], unit="pct"),
    ]))
    blocks.append(Text(text="*SQL*" + ("" if may_see else " (masked: literals shown as ?)")))
    blocks.append(sql_block)
    if history:
        blocks.append(Text(text=(
            f"*Its recurring query* `{fp_id}` ran {int(history['runs']):,} times in the last {days} days for "
            f"{fmt.money(float(history['cost_usd'] or 0))}: p50 {fmt.duration(history['p50_duration_ms'])}, "
            f"p95 {fmt.duration(history['p95_duration_ms'])}, {int(history['users'])} user(s).")))
        blocks.append(Table(title="Per day", columns=["day", "runs", "cost_usd", "p50_duration_ms", "p95_duration_ms"],
                            rows=[[d["day"].isoformat(), int(d["runs"]), round(float(d["cost_usd"] or 0), 4),
                                   round(float(d["p50_duration_ms"] or 0)), round(float(d["p95_duration_ms"] or 0))]
                                  for d in daily],
                            units={"cost_usd": "usd", "p50_duration_ms": "ms", "p95_duration_ms": "ms"}))
    blocks.append(Actions(buttons=[
        Button(label="Optimize", action="optimize", value=sid, style="primary"),
        Button(label="Show SQL", action="query", value=f"{sid} --sql"),
    ]))
    blocks.append(Context(text="Cost: the warehouse's billed cost for the hours it ran, less idle time, shared by task time."))
    return Reply(text=text, blocks=blocks)


def _source(row: dict[str, Any]) -> str:
    source = row.get("query_source") or {}
    if not isinstance(source, dict):
        return row.get("client_application") or "–"
    if (source.get("job_info") or {}).get("job_id"):
        return f"job {source['job_info']['job_id']}"
    for key, label in (("dashboard_id", "dashboard"), ("legacy_dashboard_id", "dashboard"), ("genie_space_id", "Genie"),
                       ("alert_id", "alert"), ("notebook_id", "notebook"), ("sql_query_id", "saved query")):
        if source.get(key):
            return f"{label} {source[key]}"
    return row.get("client_application") or "ad hoc"
