"""`audit`: the audit trail — who asked what, where, when, and what the policy decided. Admins only, and in a
channel only with `--share` (the trail names people)."""

from __future__ import annotations

from datetime import timedelta

from qopt import policy
from qopt.bot.options import Option
from qopt.bot.reply import Context, Header, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from qopt.policy.audit import entries

DAYS = Option("days", "int", 7, "how far back", min=1, max=3650, metavar="N")
LIMIT = Option("limit", "int", 25, "entries to show (1-200)", min=1, max=200, clamp=True, metavar="N")
WHO = Option("user", "str", None, "only this person (e-mail or chat user id)", metavar="EMAIL")
COMMAND = Option("command", "str", None, "only this command", metavar="NAME")
DECISION = Option("decision", "choice", None, "only this decision",
                  choices=("allowed", "denied", "limited", "invalid", "failed"))
SHARE = Option("share", "flag", False, "show the trail in a channel (admins)")
MAX_VALUE = 40


class AuditSkill(Skill):
    name = "audit"
    summary = "Admins: who asked what, where and when, and what the policy decided (rate limits, refusals)."
    examples = ("audit", "audit --decision denied --days 30", "audit --user ana@example.com")
    options = (DAYS, LIMIT, WHO, COMMAND, DECISION, SHARE)

    async def run(self, request: Request, services: Services) -> Reply:
        access = policy.access(request, services.settings)
        if not access.admin:
            raise policy.AccessDenied("`audit` is for admins (QOPT_ADMINS).")
        if not access.sql_visible:
            raise policy.AccessDenied("The audit trail names people: ask in a direct message, or add `--share`.")
        if services.state is None:
            return Reply.message("No state store is configured, so there is no audit trail.", ok=False)
        days = int(request.args["days"])
        since = (services.clock() - timedelta(days=days)).timestamp()
        found = await entries(
            services.state, since=since, email=request.args.get("user"), command=request.args.get("command"),
            decision=request.args.get("decision"), limit=int(request.args["limit"]),
        )
        retention = services.settings.audit_retention_days
        if not found:
            text = f"No audit entries in the last {days} days for that filter."
            return Reply(text=text, blocks=[Header(text="Audit trail"), Text(text=text)])
        rows = [
            [e.when.strftime("%Y-%m-%d %H:%M:%S"), e.email or e.user_id, _where(e), e.command,
             _clip(" ".join(f"{k}={v}" for k, v in e.args.items())), e.decision, _clip(e.reason or ""),
             _workspaces(e.policy), round(e.duration_ms)]
            for e in found
        ]
        counts: dict[str, int] = {}
        for e in found:
            counts[e.decision] = counts.get(e.decision, 0) + 1
        summary = ", ".join(f"{n} {d}" for d, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        text = f"The last {len(found)} audit entries of the last {days} days: {summary}."
        return Reply(text=text, blocks=[
            Header(text="Audit trail"),
            Text(text=text),
            Table(columns=["time_utc", "who", "where", "command", "options", "decision", "reason", "workspaces",
                           "duration_ms"], rows=rows, units={"duration_ms": "ms"}),
            Context(text=f"Entries are kept {retention} days (QOPT_AUDIT_RETENTION_DAYS). Free text (SQL, questions) "
                         "is stored as a digest unless QOPT_LOG_MESSAGES=true."),
        ])


def _where(entry) -> str:
    kind = "DM" if entry.is_dm else (entry.channel_id or "-")
    return f"{entry.platform}/{entry.team_id or '-'}/{kind}"


def _workspaces(summary: dict) -> str:
    value = summary.get("workspaces")
    if value is None:
        return "–"
    return "all" if value == "*" else ",".join(value) or "none"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"
