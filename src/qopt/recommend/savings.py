"""Savings: what fixing a finding would save a recurring query per month, and the priority that follows.

estimated monthly saving = attributed cost of the fingerprint over the window × expected reduction × 30 / days.
The expected reduction of a text rule is the rule's own stated assumption; metric findings compute theirs from
the measurements (e.g. the share of bytes read that better file skipping would avoid).
"""

from __future__ import annotations

from qopt.config import Settings
from qopt.recommend.finding import Finding, Priority, Saving
from qopt.recommend.rules import BY_ID

MONTH_DAYS = 30.0

# Metric rules with no assumption of their own here get theirs from the finding (`reduction` set by metrics.py).
METRIC_ASSUMPTIONS: dict[str, tuple[float, str]] = {
    "disk_spill": (0.2, "avoiding the spill (more memory per task, less data per task) typically saves about 20%"),
    "shuffle_heavy": (0.15, "cutting the shuffle (pre-aggregating, broadcasting the small side) typically saves about 15%"),
    "exploding_join": (0.3, "fixing a row-multiplying join typically saves about 30%"),
    "small_files": (0.2, "compacting small files (OPTIMIZE) typically saves about 20% of the scan"),
    "queued_at_capacity": (0.0, "queueing costs time, not money: no cost saving is claimed"),
    "cold_start": (0.0, "a cold start costs time, not money: no cost saving is claimed"),
    "compile_bound": (0.0, "compilation runs on the driver: no cost saving is claimed"),
    "long_running": (0.0, "a symptom: the saving comes from the findings that explain it"),
    "high_cost": (0.0, "a symptom: the saving comes from the findings that explain it"),
}


def priority(monthly_usd: float, settings: Settings) -> Priority:
    if monthly_usd >= settings.saving_high_usd:
        return "High"
    if monthly_usd >= settings.saving_medium_usd:
        return "Medium"
    return "Low"


def reduction_of(finding: Finding) -> tuple[float, str]:
    """(expected reduction, assumption) of a finding."""
    if finding.reduction is not None:
        return finding.reduction, finding.assumption or ""
    rule = BY_ID.get(finding.rule)
    if rule is not None:
        return rule.reduction, rule.assumption
    return METRIC_ASSUMPTIONS.get(finding.rule, (0.0, "no saving estimate for this finding"))


def monthly_saving(window_cost_usd: float, window_days: float, reduction: float) -> float:
    if window_days <= 0:
        return 0.0
    return max(0.0, window_cost_usd) * reduction * MONTH_DAYS / window_days


def estimate(finding: Finding, *, window_cost_usd: float, window_days: float, settings: Settings) -> Saving:
    """The saving of `finding` on a fingerprint that cost `window_cost_usd` over `window_days`."""
    reduction, assumption = reduction_of(finding)
    monthly = monthly_saving(window_cost_usd, window_days, reduction)
    days = f"{window_days:g}"
    text = (
        f"${window_cost_usd:,.2f} attributed over {days} days × {reduction:.0%} expected reduction × 30/{days} "
        f"({assumption})"
    )
    return Saving(
        monthly_usd=round(monthly, 2),
        reduction=reduction,
        window_cost_usd=round(window_cost_usd, 4),
        window_days=window_days,
        priority=priority(monthly, settings),
        assumption=text,
    )


def with_savings(
    findings: list[Finding], *, window_cost_usd: float, window_days: float, settings: Settings
) -> list[Finding]:
    """Copies of `findings` carrying their saving."""
    return [
        f.model_copy(update={"saving": estimate(f, window_cost_usd=window_cost_usd, window_days=window_days, settings=settings)})
        for f in findings
    ]
