"""`top`: the recurring queries that cost the most (or run longest, most often, or spill most)."""

from __future__ import annotations

import asyncio

from qopt.bot.options import DAYS, LIMIT, SHARE, USER, WAREHOUSE, WORKSPACE, Option
from qopt.bot.reply import Actions, Button, Context, Header, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from qopt.bot import format as fmt
from qopt.workload import RecurringQuery, recurring_queries, single_statements
from skills.common import coverage, coverage_note, describe_scope, describe_window, scope_of, warehouse_names, window_of

BY = Option("by", "choice", "cost", "rank by", choices=("cost", "duration", "runs", "spill"))
EACH = Option("each", "flag", False, "single statements instead of recurring queries")
PAGE = Option("page", "int", 1, "page of results", min=1, max=50, metavar="N")
MASKED_CHARS = 120
BUTTON_ROWS = 5
RANKED_BY = {"cost": "cost", "duration": "total duration", "runs": "runs", "spill": "spilled bytes"}


class TopSkill(Skill):
    name = "top"
    summary = "The recurring queries that cost the most, with runs, durations, users and warehouse."
    examples = ("top --days 7 --limit 5", "top --by duration --user ana@example.com", "top --each --limit 3")
    options = (DAYS, LIMIT, BY, USER, WAREHOUSE, WORKSPACE, EACH, PAGE, SHARE)

    async def run(self, request: Request, services: Services) -> Reply:
        window = window_of(request, services)
        scope = await scope_of(request, services, window)
        limit, page, order = int(request.args["limit"]), int(request.args["page"]), request.args["by"]
        if request.args["each"]:
            return await self._each(request, services, window, scope, limit, order)
        found, cover, names = await asyncio.gather(
            recurring_queries(services.warehouse, window, scope, order=order, limit=limit * page),
            coverage(services, window, request),
            warehouse_names(services, window, request),
        )
        rows = found[limit * (page - 1):]
        where = describe_window(window) + (f", {describe_scope(scope)}" if describe_scope(scope) else "")
        if not rows:
            text = f"No recurring queries in the {where}." if not found else f"No more recurring queries (page {page})."
            return Reply(text=text, blocks=[Header(text="Top recurring queries"), Text(text=text)])
        table = Table(
            columns=["rank", "fingerprint", "query", "runs", "cost_usd", "total_duration_ms", "p95_duration_ms",
                     "users", "owner", "warehouse"],
            rows=[
                [limit * (page - 1) + i + 1, q.fingerprint, _clip(q.masked), q.runs, round(q.cost_usd, 4),
                 round(q.total_duration_ms), round(q.p95_duration_ms), len(q.users), q.owner,
                 _warehouse(names, q.warehouse_id)]
                for i, q in enumerate(rows)
            ],
            units={"cost_usd": "usd", "total_duration_ms": "ms", "p95_duration_ms": "ms"},
        )
        total = sum(q.cost_usd for q in rows)
        lead = rows[0]
        which = "most expensive" if order == "cost" else "top"
        subject = f"The {which} recurring query" if len(rows) == 1 else f"The {len(rows)} {which} recurring queries"
        summary = (
            f"{subject} of the {where} {'costs' if len(rows) == 1 else 'cost'} {fmt.money(total)}. #{table.rows[0][0]} ran {lead.runs:,} times for {fmt.money(lead.cost_usd)} "
            f"({lead.owner})."
        )
        blocks = [
            Header(text=f"Top recurring queries by {RANKED_BY[order]}"),
            Text(text=summary),
            table,
            _buttons(rows, request, limit, page, len(found) == limit * page),
            Context(text="Cost is attributed from warehouse billing by task time (idle time apart). "
                         "Query text is masked: literals are shown as ?."),
        ]
        note = coverage_note(window, cover)
        if note:
            blocks.append(Context(text=note))
        return Reply(text=summary, blocks=blocks)

    async def _each(self, request, services, window, scope, limit, order) -> Reply:
        from qopt.recommend.fingerprint import fingerprint

        rows = await single_statements(services.warehouse, window, scope, order=order, limit=limit)
        where = describe_window(window)
        if not rows:
            text = f"No statements in the {where}."
            return Reply(text=text, blocks=[Header(text="Top statements"), Text(text=text)])
        table = Table(
            columns=["statement_id", "fingerprint", "query", "cost_usd", "total_duration_ms", "user", "status",
                     "start_time"],
            rows=[[r["statement_id"], fp.id, _clip(fp.masked), round(float(r["cost_usd"]), 4), r["total_duration_ms"],
                   r["executed_by"], r["execution_status"], r["start_time"].strftime("%Y-%m-%d %H:%M")]
                  for r, fp in ((r, fingerprint(r["statement_text"])) for r in rows)],
            units={"cost_usd": "usd", "total_duration_ms": "ms"},
        )
        text = f"The {len(rows)} top single statements by {RANKED_BY[order]} in the {where}."
        buttons = [Button(label=f"Details {r['statement_id'][:8]}", action="query", value=r["statement_id"])
                   for r in rows[:BUTTON_ROWS]]
        return Reply(text=text, blocks=[Header(text="Top statements"), Text(text=text), table, Actions(buttons=buttons)])


def _buttons(rows: list[RecurringQuery], request: Request, limit: int, page: int, more: bool) -> Actions:
    buttons: list[Button] = []
    for i, q in enumerate(rows[:BUTTON_ROWS]):
        rank = limit * (page - 1) + i + 1
        buttons.append(Button(label=f"Details #{rank}", action="query", value=q.last_statement_id))
        buttons.append(Button(label=f"Optimize #{rank}", action="optimize", value=q.last_statement_id))
    if more:
        args = " ".join(f"--{k} {v}" for k, v in _paging_args(request).items())
        buttons.append(Button(label="Next page", action="top", value=f"{args} --page {page + 1}".strip()))
    return Actions(buttons=buttons)


def _paging_args(request: Request) -> dict[str, object]:
    keep = ("days", "limit", "by", "user", "warehouse", "workspace")
    return {k: request.args[k] for k in keep if request.args.get(k) not in (None, False)}


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MASKED_CHARS else text[: MASKED_CHARS - 1] + "…"


def _warehouse(names: dict, warehouse_id: str | None) -> str | None:
    if warehouse_id is None:
        return None
    info = names.get(warehouse_id)
    return f"{info['warehouse_name']}" if info else warehouse_id
