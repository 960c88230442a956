"""Savings: monthly = window cost × expected reduction × 30 / days; priority from the saving."""

from __future__ import annotations

import pytest

from qopt.config import Settings
from qopt.recommend.engine import analyze
from qopt.recommend.finding import Finding
from qopt.recommend.rules import BY_ID
from qopt.recommend.savings import estimate, priority, with_savings


def test_text_rule_saving_uses_the_rule_reduction() -> None:
    (f,) = [f for f in analyze("SELECT * FROM t").findings]
    s = estimate(f, window_cost_usd=70.0, window_days=7, settings=Settings())
    assert s.reduction == BY_ID["select_star"].reduction
    assert s.monthly_usd == pytest.approx(round(70.0 * 0.2 * 30 / 7, 2))
    assert "20%" in s.assumption and "30/7" in s.assumption and "$70.00" in s.assumption


def test_metric_finding_with_its_own_reduction() -> None:
    f = Finding(rule="low_file_pruning", severity="high", message="m", source="metrics", reduction=0.4, assumption="x")
    s = estimate(f, window_cost_usd=100.0, window_days=14, settings=Settings())
    assert s.monthly_usd == pytest.approx(round(100 * 0.4 * 30 / 14, 2))


def test_symptoms_claim_no_saving() -> None:
    f = Finding(rule="long_running", severity="medium", message="m", source="metrics")
    assert estimate(f, window_cost_usd=1000.0, window_days=7, settings=Settings()).monthly_usd == 0


@pytest.mark.parametrize(("usd", "expected"), [(0, "Low"), (49.99, "Low"), (50, "Medium"), (499.99, "Medium"), (500, "High")])
def test_priority_thresholds(usd: float, expected: str) -> None:
    assert priority(usd, Settings()) == expected


def test_priority_thresholds_are_settings() -> None:
    assert priority(20, Settings(saving_high_usd=10, saving_medium_usd=5)) == "High"


def test_with_savings_copies() -> None:
    findings = analyze("SELECT a FROM t UNION SELECT a FROM u").findings
    out = with_savings(findings, window_cost_usd=30.0, window_days=30, settings=Settings())
    assert findings[0].saving is None and out[0].saving is not None
    assert out[0].saving.monthly_usd == pytest.approx(3.0)
