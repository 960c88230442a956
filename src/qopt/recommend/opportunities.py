"""The best opportunities across a workload: recurring queries × findings, ranked by estimated monthly saving.

Builds on `qopt.workload.recurring_queries` (grouping by fingerprint, attributed cost, a sample text) and on
`queries/recommend_metrics.sql` (per-run averages of the execution metrics of each group). Each group's sample
statement goes through the text rules; its averages through the metric insights; each finding gets the saving
`cost of the group over the window × expected reduction × 30 / days`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qopt.config import Settings
from qopt.queries import load
from qopt.recommend.engine import Analysis, analyze
from qopt.recommend.finding import Finding
from qopt.recommend.metrics import metric_findings
from qopt.recommend.savings import estimate
from qopt.warehouse.base import Warehouse
from qopt.workload import RecurringQuery, Scope, Window, recurring_queries

# Metric findings that already name the text finding they explain (the text finding is then not listed again).
_EXPLAINS = {"low_file_pruning": ("non_sargable_predicate", "leading_wildcard_like")}


@dataclass
class Opportunity:
    query: RecurringQuery
    finding: Finding  # carries its saving

    @property
    def monthly_usd(self) -> float:
        return self.finding.saving.monthly_usd if self.finding.saving else 0.0


async def group_metrics(warehouse: Warehouse, window: Window, scope: Scope) -> dict[str, dict[str, Any]]:
    """Per-run metric averages of every recurring group of the window, by group key."""
    params = {**window.params(), **scope.params()}
    rows = (await warehouse.query(load("recommend_metrics"), params, tag="recommend")).dicts()
    return {row["group_key"]: row for row in rows}


def _metrics_row(query: RecurringQuery, metrics: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The metrics of a fingerprint: of its busiest group when several normalized texts share it."""
    rows = [metrics[k] for k in query.group_keys if k in metrics]
    return max(rows, key=lambda r: int(r["runs"] or 0)) if rows else None


def findings_for(
    query: RecurringQuery, row: dict[str, Any] | None, settings: Settings, *, analysis: Analysis | None = None
) -> list[Finding]:
    """Text findings of the group's statement and metric insights of its average run, combined."""
    analysis = analysis or analyze(query.sample_text, rewrites=False)
    text = [f for f in analysis.findings if f.rule != "parse_error"]
    metric: list[Finding] = []
    if row is not None:
        runs_in_day = int(row.get("max_uncached_runs_in_day") or 0)
        metric = metric_findings(
            row,
            settings,
            text_findings=text,
            joins=analysis.joins,
            cost_usd=query.cost_usd / query.runs if query.runs else None,
            runs_in_day=runs_in_day,
        )
    explained = {
        rule for m in metric if m.column for rule in _EXPLAINS.get(m.rule, ())
        if any(t.rule == rule and t.column == m.column for t in text)
    }
    return metric + [t for t in text if t.rule not in explained]


async def opportunities(
    warehouse: Warehouse,
    settings: Settings,
    window: Window,
    scope: Scope = Scope(),
    *,
    limit: int = 10,
    candidates: int = 50,
) -> list[Opportunity]:
    """The `limit` findings with the largest estimated monthly saving among the costliest recurring queries."""
    groups = await recurring_queries(warehouse, window, scope, order="cost", limit=max(candidates, limit), tag="recommend")
    metrics = await group_metrics(warehouse, window, scope)
    out: list[Opportunity] = []
    for query in groups:
        for finding in findings_for(query, _metrics_row(query, metrics), settings):
            saving = estimate(finding, window_cost_usd=query.cost_usd, window_days=window.days, settings=settings)
            if saving.monthly_usd <= 0:
                continue
            out.append(Opportunity(query, finding.model_copy(update={"saving": saving})))
    out.sort(key=lambda o: (-o.monthly_usd, o.query.fingerprint, o.finding.rule))
    return out[:limit]


async def known_query(
    warehouse: Warehouse, window: Window, fingerprint_id: str, *, scope: Scope = Scope(), search: int = 100
) -> RecurringQuery | None:
    """The recurring query with this fingerprint among the `search` costliest of the window, if any."""
    groups = await recurring_queries(warehouse, window, scope, order="cost", limit=search, tag="optimize")
    return next((g for g in groups if g.fingerprint == fingerprint_id), None)
