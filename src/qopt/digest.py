"""The cost digest a channel receives every morning (or week): computed from the warehouse, rendered as a Reply.

A digest is named by its date D (the day it is posted, in the subscriber's zone) and covers the complete UTC days
before D: yesterday for a daily digest, the 7 days before D for a weekly one. Spend comes from `qopt.costs`
(list-priced billing), recurring queries from `qopt.workload` (attributed cost); query text is only ever the
masked fingerprint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from qopt import costs
from qopt.bot import format as fmt
from qopt.bot.reply import Actions, Button, Context, Field_, Fields, Header, Reply, Table, Text
from qopt.config import Settings
from qopt.warehouse.base import Warehouse
from qopt.workload import RecurringQuery, Scope, Window, recurring_queries

TOP_QUERIES = 5
TOP_OPPORTUNITIES = 3
BASELINE_DAYS = 7


@dataclass
class Opportunity:
    fingerprint: str
    title: str
    savings_usd: float | None


@dataclass
class FiredAlert:
    rule_id: int
    rule: str  # e.g. "daily_cost > $500 (all workspaces)"
    subject: str
    observed: str
    period: str


@dataclass
class DigestData:
    day: date  # the digest's date; it covers the days before it
    frequency: str  # daily | weekly
    current: float  # spend of the covered period
    prior: float  # spend of the period before it (day before / week before)
    baseline: float  # daily average of the 7 days before the covered period
    month_to_date: float
    forecast: float
    month: date
    idle: float
    idle_top: tuple[str, float] | None
    top: list[RecurringQuery]
    opportunities: list[Opportunity] = field(default_factory=list)
    alerts: list[FiredAlert] = field(default_factory=list)

    @property
    def days(self) -> int:
        return 7 if self.frequency == "weekly" else 1

    @property
    def start(self) -> date:
        return self.day - timedelta(days=self.days)

    @property
    def change_vs_prior(self) -> float | None:
        return None if not self.prior else (self.current - self.prior) / self.prior * 100

    @property
    def change_vs_baseline(self) -> float | None:
        base = self.baseline * self.days
        return None if not base else (self.current - base) / base * 100


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), timezone.utc)


async def compute_digest(
    warehouse: Warehouse, day: date, *, frequency: str = "daily", settings: Settings | None = None,
    workspaces: Sequence[str] | None = None,
) -> DigestData:
    """Everything the digest shows for date `day`, from three warehouse queries (savings: monthly, per the
    recommendation engine's assumptions). `workspaces`: what the channel may see (`qopt.policy.for_channel`)."""
    days = 7 if frequency == "weekly" else 1
    covered = Window(_midnight(day - timedelta(days=days)), _midnight(day))
    wide = Window(_midnight(day - timedelta(days=days + BASELINE_DAYS)), covered.end)
    spent = await costs.spend(warehouse, wide, workspaces=workspaces)
    by_day = spent.by_day
    current = sum(by_day.get(day - timedelta(days=i), 0.0) for i in range(1, days + 1))
    prior_days = [day - timedelta(days=i) for i in range(days + 1, 2 * days + 1)]
    baseline_days = [day - timedelta(days=i) for i in range(days + 1, days + BASELINE_DAYS + 1)]
    prior = sum(by_day.get(d, 0.0) for d in prior_days)
    baseline = sum(by_day.get(d, 0.0) for d in baseline_days) / BASELINE_DAYS
    use = await costs.warehouse_use(warehouse, covered, workspaces=workspaces)
    idle = sum(u.idle for u in use.values())
    idle_top = max(((wid, u.idle) for wid, u in use.items() if u.idle > 0), key=lambda x: (x[1], x[0]), default=None)
    scope = Scope(workspaces=None if workspaces is None else tuple(workspaces))
    top = await recurring_queries(warehouse, covered, scope, limit=TOP_QUERIES, tag="digest")
    return DigestData(
        day=day, frequency=frequency, current=current, prior=prior, baseline=baseline,
        month_to_date=spent.month_to_date, forecast=spent.forecast, month=spent.month, idle=idle,
        idle_top=idle_top, top=top, opportunities=opportunities(top, days, settings or Settings()),
    )  # fmt: skip


def opportunities(top: list[RecurringQuery], window_days: float, settings: Settings) -> list[Opportunity]:
    """The top optimization opportunities among the digest's queries: the recommendation engine's findings on each
    query's masked text (so no literal reaches the channel), priced by the query's attributed cost."""
    from qopt.recommend.engine import analyze
    from qopt.recommend.savings import with_savings

    found: list[Opportunity] = []
    for query in top:
        analysis = analyze(query.masked, rewrites=False)
        findings = [f for f in analysis.findings if f.rule != "parse_error"]
        for finding in with_savings(findings, window_cost_usd=query.cost_usd, window_days=window_days, settings=settings):
            savings = finding.saving.monthly_usd if finding.saving else None
            if savings:
                found.append(Opportunity(query.fingerprint, f"{finding.rule}: {_first_sentence(finding.message)}", savings))
    found.sort(key=lambda o: (-(o.savings_usd or 0.0), o.fingerprint, o.title))
    return found[:TOP_OPPORTUNITIES]


def _first_sentence(text: str, limit: int = 140) -> str:
    sentence = text.split(". ")[0].rstrip(".")
    return _short(sentence, limit)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}%"


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def digest_reply(data: DigestData) -> Reply:
    """The digest as a platform-neutral Reply (adapters render Block Kit / Adaptive Cards from it)."""
    weekly = data.frequency == "weekly"
    span = f"{data.start:%a %Y-%m-%d} – {data.day - timedelta(days=1):%a %Y-%m-%d}" if weekly else f"{data.start:%a %Y-%m-%d}"
    period_name = "Last 7 days" if weekly else "Yesterday"
    prior_name = "previous 7 days" if weekly else "the day before"
    title = f"qopt {'weekly' if weekly else 'daily'} cost digest — {span}"
    summary = (
        f"{period_name}: {fmt.money(data.current)} ({_pct(data.change_vs_prior)} vs {prior_name}, "
        f"{_pct(data.change_vs_baseline)} vs the 7-day average). Month to date {fmt.money(data.month_to_date)}, "
        f"forecast {fmt.money(data.forecast)}."
    )
    fields = [
        Field_(label=f"{period_name} spend", value=round(data.current, 2), unit="usd"),
        Field_(label=f"vs {prior_name}", value=_pct(data.change_vs_prior)),
        Field_(label="vs 7-day average", value=f"{_pct(data.change_vs_baseline)} (avg {fmt.money(data.baseline)}/day)"),
        Field_(label=f"Month to date ({data.month:%B})", value=round(data.month_to_date, 2), unit="usd"),
        Field_(label="Month-end forecast", value=round(data.forecast, 2), unit="usd"),
        Field_(label="Idle warehouse cost", value=round(data.idle, 2), unit="usd"),
    ]
    blocks: list[Any] = [Header(text=title), Text(text=summary), Fields(fields=fields)]
    if data.top:
        rows = [[q.fingerprint, _short(q.masked), q.runs, round(q.cost_usd, 2), q.owner] for q in data.top]
        blocks.append(Table(title="Top recurring queries by cost",
                            columns=["fingerprint", "query", "runs", "cost_usd", "owner"], rows=rows,
                            units={"runs": "count", "cost_usd": "usd"}))
    else:
        blocks.append(Text(text="No SQL warehouse queries ran in this period."))
    if data.opportunities:
        rows = [[o.fingerprint, o.title, None if o.savings_usd is None else round(o.savings_usd, 2)]
                for o in data.opportunities]
        blocks.append(Table(title="Top optimization opportunities", columns=["fingerprint", "opportunity", "monthly_savings_usd"],
                            rows=rows, units={"monthly_savings_usd": "usd"}))
    if data.idle_top:
        wid, idle = data.idle_top
        blocks.append(Text(text=f"Idle warehouse time cost {fmt.money(data.idle)}; most on warehouse `{wid}` "
                                f"({fmt.money(idle)}). Consider a shorter auto-stop."))
    if data.alerts:
        lines = [f"• #{a.rule_id} {a.rule}: {a.observed}{f' — {a.subject}' if a.subject else ''} on {a.period}"
                 for a in data.alerts]
        blocks.append(Text(text="*Alerts fired*\n" + "\n".join(lines)))
    days = data.days
    blocks.append(Actions(buttons=[
        Button(label="Top queries", action="top", value=f"--days {days}", style="primary"),
        Button(label="Cost breakdown", action="cost", value=f"--by warehouse --days {days}"),
    ]))
    blocks.append(Context(text="Days are UTC; costs at list price, query costs attributed by task time. "
                               "`digest off` stops this digest, `digest status` shows it."))
    return Reply(text=f"{title}. {summary}", blocks=blocks)
