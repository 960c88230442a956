"""`recommend`: the best opportunities across the workload, ranked by estimated monthly saving."""

from __future__ import annotations

from qopt import policy
from qopt.bot.options import LIMIT, USER, WAREHOUSE, Option
from qopt.bot.reply import Actions, Button, Context, Header, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from qopt.recommend.opportunities import opportunities
from qopt.workload import Window

RECOMMEND_DAYS = Option("days", "int", 30, "window in days, ending now", min=1, max=365, metavar="N")


class RecommendSkill(Skill):
    name = "recommend"
    summary = "The best savings across the workload: recurring queries × findings, ranked by estimated monthly saving."
    examples = ("recommend", "recommend --days 7 --limit 5", "recommend --user ana.silva@example.com")
    options = (RECOMMEND_DAYS, LIMIT, USER, WAREHOUSE)
    aliases = ("opportunities", "savings")

    async def run(self, request: Request, services: Services) -> Reply:
        days, limit = int(request.args["days"]), int(request.args["limit"])
        window = Window.last_days(services.clock(), days)
        access = policy.access(request, services.settings)  # the asker's workspaces only
        scope = access.scope(user=request.args.get("user"), warehouse=request.args.get("warehouse"))
        found = await opportunities(services.warehouse, services.settings, window, scope, limit=limit)
        if not found:
            text = f"No savings found in the last {days} days" + (" for that filter." if scope.user or scope.warehouse else ".")
            return Reply(text=text, blocks=[Header(text="qopt recommend"), Text(text=text)])
        total = sum(o.monthly_usd for o in found)
        rows = [
            [
                o.query.fingerprint,
                o.finding.rule,
                o.finding.severity,
                round(o.monthly_usd, 2),
                o.finding.saving.priority if o.finding.saving else "Low",
                o.query.runs,
                round(o.query.cost_usd, 2),
                ", ".join(o.query.users[:3]) + (f" +{len(o.query.users) - 3}" if len(o.query.users) > 3 else ""),
            ]
            for o in found
        ]
        best = found[0]
        text = (
            f"Top {len(found)} opportunities in the last {days} days: up to ${total:,.2f}/month. Best: "
            f"{best.finding.rule} on `{best.query.fingerprint}` (${best.monthly_usd:,.2f}/month)."
        )
        blocks = [
            Header(text=f"qopt recommend — last {days} days"),
            Text(text=text),
            Table(
                columns=["fingerprint", "finding", "severity", "saving_usd_month", "priority", "runs", "cost_usd", "owners"],
                rows=rows,
                units={"saving_usd_month": "usd", "cost_usd": "usd", "runs": "count"},
            ),
            Text(text=f"*Best:* `{best.query.masked[:300]}` — {best.finding.message}"),
            Context(text=(
                "Saving = attributed cost of the recurring query over the window × the finding's expected reduction "
                f"× 30/{days}; each finding states its assumption (`optimize` on the statement shows it). Rows of one "
                "query are alternatives, not to be added blindly."
            )),
            Actions(buttons=[Button(label="Optimize the best", action="optimize", value=best.query.last_statement_id,
                                    style="primary")]),
        ]
        return Reply(text=text, blocks=blocks)
