"""Metric insights: findings from the execution metrics of a `system.query.history` row (reference/rules.md).

Thresholds are settings (`QOPT_PRUNING_MIN_SHARE`, …). Each insight is combined with the text findings of the
same statement where one explains the other: low file pruning plus a function on `order_date` becomes "the
function on `order_date` defeats file skipping; 92% of files were read".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qopt.bot import format as fmt
from qopt.config import Settings
from qopt.recommend.finding import Finding

METRIC_RULES: tuple[str, ...] = (
    "low_file_pruning",
    "disk_spill",
    "shuffle_heavy",
    "exploding_join",
    "queued_at_capacity",
    "cold_start",
    "compile_bound",
    "small_files",
    "result_cache_candidate",
    "long_running",
    "high_cost",
)


def _num(row: Mapping[str, Any], key: str) -> float:
    value = row.get(key)
    try:
        return float(value) if value is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


def _first(findings: Sequence[Finding], *rules: str) -> Finding | None:
    for rule in rules:
        for f in findings:
            if f.rule == rule:
                return f
    return None


def _where(f: Finding) -> str:
    return f" (line {f.line})" if f.line else ""


def metric_findings(
    row: Mapping[str, Any],
    settings: Settings,
    *,
    text_findings: Sequence[Finding] = (),
    joins: bool = False,
    cost_usd: float | None = None,
    runs_in_day: int | None = None,
) -> list[Finding]:
    """Findings from one history row (or a row of per-run averages of a recurring query).

    `joins`: whether the statement joins (for `exploding_join`); `cost_usd`: attributed cost of one run (for
    `high_cost`); `runs_in_day`: most runs of the same fingerprint in one day without the result cache.
    """
    out: list[Finding] = []
    read_bytes = _num(row, "read_bytes")
    read_files, pruned = _num(row, "read_files"), _num(row, "pruned_files")
    total_ms = _num(row, "total_duration_ms")

    # low_file_pruning
    if read_bytes >= settings.pruning_min_read_bytes and read_files + pruned > 0:
        share = pruned / (pruned + read_files)
        if share < settings.pruning_min_share:
            read_share = 1 - share
            target = 1 - settings.pruning_min_share
            reduction = max(0.0, 1 - target / read_share) if read_share > 0 else 0.0
            facts = (
                f"{read_share:.0%} of the files were read ({read_files:,.0f} of {read_files + pruned:,.0f}, "
                f"{fmt.size(read_bytes)})"
            )
            cause = _first(text_findings, "non_sargable_predicate", "leading_wildcard_like")
            if cause is not None and cause.rule == "non_sargable_predicate":
                what = f"The function on `{cause.column}`{_where(cause)} defeats file skipping; {facts}."
                todo = "Compare the bare column with a constant (see the rewrite) so Databricks can skip files."
            elif cause is not None:
                what = f"The leading-wildcard LIKE on `{cause.column}`{_where(cause)} defeats file skipping; {facts}."
                todo = "Filter on a fixed prefix or another selective column so Databricks can skip files."
            else:
                what = f"Little file skipping: {facts}."
                todo = (
                    "Filter on the columns the table is clustered or partitioned by, or cluster it (liquid "
                    "clustering / Z-ORDER) on the columns this query filters by."
                )
            out.append(_metric(
                "low_file_pruning", "high" if share < 0.1 else "medium",
                f"{what} Databricks bills the warehouse for every byte it scans. {todo}",
                column=cause.column if cause else None, reduction=reduction,
                assumption=f"cost scales with bytes read, and better skipping prunes at least "
                f"{settings.pruning_min_share:.0%} of the files",
            ))

    # disk_spill
    spilled = _num(row, "spilled_local_bytes")
    if spilled > 0:
        high = read_bytes > 0 and spilled >= settings.spill_high_share * read_bytes
        cause = _first(text_findings, "cartesian_join", "join_on_or", "count_distinct", "unbounded_order_by")
        hint = f" `{cause.rule}`{_where(cause)} is a likely cause." if cause else ""
        out.append(_metric(
            "disk_spill", "high" if high else "medium",
            f"The query spilled {fmt.size(spilled)} to local disk: tasks ran out of memory and wrote intermediate "
            f"data out and back, which is slow and keeps the warehouse busy.{hint} Reduce the data per task "
            "(filter earlier, pre-aggregate), or use a larger warehouse size for this workload.",
        ))

    # shuffle_heavy
    shuffle = _num(row, "shuffle_read_bytes")
    if shuffle > read_bytes and shuffle > 0:
        cause = _first(text_findings, "cartesian_join", "join_on_or", "union_distinct", "count_distinct",
                       "distinct_with_group_by")
        hint = f" `{cause.rule}`{_where(cause)} adds to it." if cause else ""
        out.append(_metric(
            "shuffle_heavy", "medium",
            f"The query shuffled {fmt.size(shuffle)}, more than the {fmt.size(read_bytes)} it read: moving data "
            f"between nodes dominates the work.{hint} Filter and aggregate before joining, broadcast the small "
            "side of joins, and avoid DISTINCT steps that are not needed.",
        ))

    # exploding_join
    read_rows, produced = _num(row, "read_rows"), _num(row, "produced_rows")
    if joins and read_rows > 0 and produced > settings.exploding_join_factor * read_rows:
        cause = _first(text_findings, "cartesian_join", "join_on_or")
        hint = f" `{cause.rule}`{_where(cause)} explains it." if cause else " Check the join keys for duplicates."
        out.append(_metric(
            "exploding_join", "high",
            f"The query produced {fmt.count(produced)} rows from {fmt.count(read_rows)} read "
            f"({produced / read_rows:,.0f}×): a join multiplies rows.{hint} Join on a unique key, or aggregate "
            "one side before joining.",
        ))

    # queued_at_capacity
    queued = _num(row, "waiting_at_capacity_duration_ms")
    if total_ms > 0 and queued >= settings.queued_min_share * total_ms and queued > 0:
        out.append(_metric(
            "queued_at_capacity", "low",
            f"The query waited {fmt.duration(queued)} ({queued / total_ms:.0%} of its time) for a free slot on a "
            "busy warehouse. Raise the warehouse's maximum clusters (scaling), or move heavy scheduled work to "
            "another warehouse or time.",
        ))

    # cold_start
    cold = _num(row, "waiting_for_compute_duration_ms")
    if cold >= settings.cold_start_min_ms and cold > 0:
        out.append(_metric(
            "cold_start", "low",
            f"The query waited {fmt.duration(cold)} for the warehouse to start. Use a serverless warehouse "
            "(starts in seconds) or a longer auto-stop for interactive hours.",
        ))

    # compile_bound
    compile_ms = _num(row, "compilation_duration_ms")
    if total_ms > 0 and compile_ms >= settings.compile_min_share * total_ms and compile_ms >= settings.compile_min_ms:
        out.append(_metric(
            "compile_bound", "low",
            f"Compilation took {fmt.duration(compile_ms)} ({compile_ms / total_ms:.0%} of the time): very long "
            "SQL (huge IN lists, hundreds of UNION branches) or many small files in the table metadata. Use a "
            "join to a table instead of a huge literal list, and OPTIMIZE the tables.",
        ))

    # small_files
    if read_files >= settings.small_files_min_files and read_bytes / read_files < settings.small_files_max_avg_bytes:
        out.append(_metric(
            "small_files", "medium",
            f"The query read {read_files:,.0f} files averaging {fmt.size(read_bytes / read_files)}: opening many "
            "small files costs more than reading the data. Run `OPTIMIZE` on the table (or enable predictive "
            "optimization / auto compaction).",
        ))

    # result_cache_candidate
    cached = bool(row.get("from_result_cache"))
    if runs_in_day is not None and runs_in_day >= settings.result_cache_min_runs and not cached:
        out.append(_metric(
            "result_cache_candidate", "medium",
            f"The same statement ran {runs_in_day} times in one day without being served from the result cache. "
            "Keep its text identical (no `now()` / `current_timestamp()` in it) so the result cache answers "
            "repeats, or materialize the result once and read it.",
            reduction=0.5 * (runs_in_day - 1) / runs_in_day,
            assumption="half of the repeated runs could be answered from the cache",
        ))

    # long_running
    if total_ms > settings.long_running_ms:
        causes = [f.rule for f in text_findings if f.severity != "low"][:3]
        hint = f" Likely causes: {', '.join(f'`{c}`' for c in causes)}." if causes else ""
        out.append(_metric(
            "long_running", "medium",
            f"The query ran for {fmt.duration(total_ms)}.{hint} See the findings for what to change.",
        ))

    # high_cost
    if cost_usd is not None and cost_usd > settings.high_cost_usd:
        out.append(_metric(
            "high_cost", "high",
            f"One run cost {fmt.money(cost_usd)} (attributed warehouse cost), above the "
            f"{fmt.money(settings.high_cost_usd)} threshold.",
        ))
    return out


def _metric(rule: str, severity: str, message: str, **fields: Any) -> Finding:
    return Finding(rule=rule, severity=severity, message=message, source="metrics", **fields)  # type: ignore[arg-type]
