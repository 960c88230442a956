"""Metric insights from generated system.query.history rows: each rule at and below its threshold."""

from __future__ import annotations

import pytest

from qopt.config import Settings
from qopt.recommend.engine import analyze, analyze_row
from qopt.recommend.metrics import METRIC_RULES, metric_findings

GiB = 1 << 30
MiB = 1 << 20


def row(**overrides) -> dict:
    """A healthy run: 2 GiB read from 100 files, 80% pruned, no spill, 10 s."""
    base = {
        "statement_text": "SELECT id FROM t WHERE d >= '2024-01-01'",
        "read_bytes": 2 * GiB, "read_files": 100, "pruned_files": 400, "spilled_local_bytes": 0,
        "shuffle_read_bytes": 10 * MiB, "read_rows": 1_000_000, "produced_rows": 10,
        "total_duration_ms": 10_000, "waiting_at_capacity_duration_ms": 0, "waiting_for_compute_duration_ms": 0,
        "compilation_duration_ms": 200, "from_result_cache": False,
    }
    return base | overrides


def rules(r: dict, settings: Settings | None = None, **kw) -> list[str]:
    return [f.rule for f in metric_findings(r, settings or Settings(), **kw)]


def test_a_healthy_run_has_no_metric_findings() -> None:
    assert rules(row(), joins=True, cost_usd=0.5, runs_in_day=3) == []


@pytest.mark.parametrize(
    ("rule", "hit", "miss", "kw"),
    [
        ("low_file_pruning", {"read_files": 920, "pruned_files": 80}, {"read_files": 500, "pruned_files": 500}, {}),
        ("disk_spill", {"spilled_local_bytes": 1}, {"spilled_local_bytes": 0}, {}),
        ("shuffle_heavy", {"shuffle_read_bytes": 3 * GiB}, {"shuffle_read_bytes": 2 * GiB}, {}),
        ("exploding_join", {"produced_rows": 10_000_001}, {"produced_rows": 10_000_000}, {"joins": True}),
        ("queued_at_capacity", {"waiting_at_capacity_duration_ms": 2_000}, {"waiting_at_capacity_duration_ms": 1_999}, {}),
        ("cold_start", {"waiting_for_compute_duration_ms": 30_000}, {"waiting_for_compute_duration_ms": 29_999}, {}),
        ("compile_bound", {"compilation_duration_ms": 5_000}, {"compilation_duration_ms": 4_999}, {}),
        ("small_files", {"read_files": 1_000, "pruned_files": 9_000, "read_bytes": 1_000 * 15 * MiB},
         {"read_files": 1_000, "pruned_files": 9_000, "read_bytes": 1_000 * 16 * MiB}, {}),
        ("long_running", {"total_duration_ms": 300_001}, {"total_duration_ms": 300_000}, {}),
    ],
)
def test_each_metric_rule_fires_at_its_threshold_only(rule, hit, miss, kw) -> None:
    assert rule in rules(row(**hit), **kw)
    assert rule not in rules(row(**miss), **kw)


def test_exploding_join_needs_a_join() -> None:
    assert "exploding_join" not in rules(row(produced_rows=50_000_000), joins=False)


def test_pruning_needs_a_gibibyte_read() -> None:
    assert "low_file_pruning" not in rules(row(read_bytes=GiB - 1, read_files=99, pruned_files=1))
    assert "low_file_pruning" in rules(row(read_bytes=GiB, read_files=99, pruned_files=1))


def test_result_cache_and_high_cost() -> None:
    assert "result_cache_candidate" in rules(row(), runs_in_day=10)
    assert "result_cache_candidate" not in rules(row(), runs_in_day=9)
    assert "result_cache_candidate" not in rules(row(from_result_cache=True), runs_in_day=50)
    assert "high_cost" in rules(row(), cost_usd=10.01)
    assert "high_cost" not in rules(row(), cost_usd=10.0)


def test_thresholds_are_settings() -> None:
    strict = Settings(high_cost_usd=1.0, long_running_ms=5_000, pruning_min_share=0.9)
    found = rules(row(), strict, cost_usd=2.0)
    assert {"high_cost", "long_running", "low_file_pruning"} <= set(found)


def test_disk_spill_is_high_from_ten_percent_of_read_bytes() -> None:
    (low,) = metric_findings(row(spilled_local_bytes=GiB // 20), Settings())
    (high,) = metric_findings(row(spilled_local_bytes=GiB // 4), Settings())
    assert low.severity == "medium" and high.severity == "high"


def test_pruning_combined_with_the_non_sargable_column() -> None:
    r = row(statement_text="SELECT sum(amount) FROM orders WHERE year(order_date) = 2024", read_files=920, pruned_files=80)
    analysis = analyze_row(r, Settings())
    (pruning,) = [f for f in analysis.findings if f.rule == "low_file_pruning"]
    assert "`order_date`" in pruning.message and "92% of the files were read" in pruning.message
    assert pruning.column == "order_date" and pruning.source == "metrics"
    assert "non_sargable_predicate" in analysis.rules  # the text finding (with its rewrite) stays
    # expected reduction: read share 0.92 -> 0.5 at the threshold
    assert pruning.reduction == pytest.approx(1 - 0.5 / 0.92)


def test_exploding_join_names_the_cartesian_join() -> None:
    r = row(statement_text="SELECT a.x, b.y FROM a, b", produced_rows=10**9)
    analysis = analyze_row(r, Settings())
    (f,) = [f for f in analysis.findings if f.rule == "exploding_join"]
    assert "cartesian_join" in f.message


def test_every_metric_rule_of_the_catalog_is_implemented() -> None:
    extreme = row(read_files=5_000, pruned_files=0, read_bytes=5_000 * MiB, spilled_local_bytes=GiB,
                  shuffle_read_bytes=10**13, produced_rows=10**12, waiting_at_capacity_duration_ms=400_000,
                  waiting_for_compute_duration_ms=60_000, compilation_duration_ms=400_000, total_duration_ms=700_000)
    assert set(rules(extreme, joins=True, cost_usd=100.0, runs_in_day=20)) == set(METRIC_RULES)


def test_missing_metrics_are_no_findings_not_errors() -> None:
    assert metric_findings({"statement_text": "SELECT 1"}, Settings()) == []
    assert analyze("SELECT 1").findings == []
