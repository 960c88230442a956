"""What a Genie space over qopt's data needs: three views, their descriptions, and sample questions.

The views are written in the Databricks dialect over the real system tables (`system.query.history`, billing)
and are created by `qopt genie-setup --apply` through the configured warehouse (on the embedded warehouse too,
transpiled like every other statement).

- `genie_query_performance`: one row per statement with its real metrics (no statement text: chat channels
  must not see other people's SQL; Genie answers go to channels).
- `genie_cost_attribution`: one row per statement with its attributed cost, from qopt's own attribution
  (`qopt/queries/attribution.sql`: billed warehouse hours split by task time) — never a join of query history
  to billing on the workspace, which multiplies rows.
- `genie_optimization_opportunities`: one row per statement and metric rule that fires — the rule ids,
  thresholds (settings) and severities of `qopt.recommend.metrics`. Rules that need the SQL parser (the text
  rules, `exploding_join`, `result_cache_candidate`) are reported by `qopt optimize` and the bot instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp

from qopt import queries
from qopt.errors import UsageError
from qopt.warehouse.lists import expand_lists

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


@dataclass(frozen=True)
class View:
    name: str
    description: str
    sql: str  # the SELECT (Databricks dialect), without CREATE


@dataclass(frozen=True)
class Target:
    catalog: str | None
    schema: str

    def name(self, view: str) -> str:
        return ".".join(p for p in (self.catalog, self.schema, view) if p)

    @property
    def schema_name(self) -> str:
        return ".".join(p for p in (self.catalog, self.schema) if p)


def target(catalog: str | None, schema: str) -> Target:
    for label, value in (("--catalog", catalog), ("--schema", schema)):
        if value is not None and not _IDENT.match(value):
            raise UsageError(f"{label} must be a plain identifier (letters, digits, _), not {value!r}.")
    return Target(catalog or None, schema)


def _window(days: int) -> dict[str, str]:
    """The attribution's parameters as expressions: the last `days` whole hours before now (like Window.last_days)."""
    end = "date_trunc('HOUR', current_timestamp())"
    start = f"(date_trunc('HOUR', current_timestamp()) - INTERVAL {int(days)} DAYS)"
    return {
        "start": start,
        "end": end,
        "start_ms": f"unix_millis({start})",
        "end_ms": f"unix_millis({end})",
        "scan_start": f"({start} - INTERVAL 1 DAYS)",
        "start_date": f"to_date({start})",
        "end_date": f"to_date({end} - INTERVAL 1 MICROSECOND)",
    }


def _bind(sql: str, values: dict[str, str]) -> exp.Expression:
    """Replace every `:name` marker by an SQL expression (a view cannot take parameters)."""
    tree = sqlglot.parse_one(sql, read="databricks")
    parsed = {k: sqlglot.parse_one(v, read="databricks") for k, v in values.items()}

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name in parsed:
            return parsed[node.name].copy()
        return node

    tree = tree.transform(swap)
    left = sorted({p.name for p in tree.find_all(exp.Placeholder)})
    if left:
        raise ValueError(f"unbound parameters in the attribution SQL: {left}")
    return tree


def cost_sql(days: int) -> str:
    """Per-statement attributed cost over the last `days` days, joined to its query-history row."""
    # A view covers every workspace: the `IN (:workspaces)` list filter becomes TRUE (qopt.warehouse.lists).
    attribution = _bind(expand_lists(queries.load("attribution"), {})[0], _window(days))
    ctes = attribution.args["with_"].expressions
    body = sqlglot.parse_one(
        f"""
        SELECT h.statement_id, h.workspace_id, h.executed_by, h.compute.warehouse_id AS warehouse_id,
          h.execution_status, h.statement_type, h.start_time, to_date(h.start_time) AS query_date,
          h.total_duration_ms, h.total_task_duration_ms, h.read_bytes,
          c.cost_usd
        FROM statement_cost AS c
        JOIN system.query.history AS h ON h.statement_id = c.statement_id
        WHERE h.start_time >= {_window(days)['scan_start']}
        """,
        read="databricks",
    )
    body.set("with_", exp.With(expressions=[c.copy() for c in ctes]))
    return body.sql(dialect="databricks", pretty=True)


PERFORMANCE_SQL = """
SELECT
  statement_id, workspace_id, executed_by, compute.warehouse_id AS warehouse_id, execution_status,
  statement_type, client_application, start_time, end_time, to_date(start_time) AS query_date,
  total_duration_ms, execution_duration_ms, compilation_duration_ms, waiting_for_compute_duration_ms,
  waiting_at_capacity_duration_ms, result_fetch_duration_ms, total_task_duration_ms,
  read_bytes, read_rows, produced_rows, read_files, pruned_files, read_partitions,
  spilled_local_bytes, shuffle_read_bytes, written_bytes, from_result_cache, read_io_cache_percent,
  CASE WHEN pruned_files + read_files > 0 THEN pruned_files / (pruned_files + read_files) END AS pruned_file_ratio,
  query_source.job_info.job_id AS job_id, query_source.dashboard_id AS dashboard_id,
  query_source.genie_space_id AS genie_space_id
FROM system.query.history
WHERE start_time >= date_trunc('HOUR', current_timestamp()) - INTERVAL {days} DAYS
"""


# Rules of `qopt.recommend.metrics` that a view can evaluate from one history row and its attributed cost;
# `exploding_join` (does the statement join?) and `result_cache_candidate` (fingerprints) need the SQL parser.
VIEW_RULES = ("low_file_pruning", "disk_spill", "shuffle_heavy", "queued_at_capacity", "cold_start",
              "compile_bound", "small_files", "long_running", "high_cost")


def _rule_checks(s: Any) -> list[tuple[str, str, str, str]]:
    """(rule, severity expression, condition, advice): the same thresholds and severities as the engine's."""
    return [
        ("low_file_pruning", f"CASE WHEN m.pruned_share < 0.1 THEN 'high' ELSE 'medium' END",
         f"m.read_bytes >= {int(s.pruning_min_read_bytes)} AND m.read_files + m.pruned_files > 0 "
         f"AND m.pruned_share < {float(s.pruning_min_share)!r}",
         "Little file skipping: filter on the columns the table is clustered by, or cluster it on the filter columns."),
        ("disk_spill",
         f"CASE WHEN m.read_bytes > 0 AND m.spilled_local_bytes >= {float(s.spill_high_share)!r} * m.read_bytes "
         "THEN 'high' ELSE 'medium' END",
         "m.spilled_local_bytes > 0",
         "Spilled to local disk: filter or pre-aggregate earlier, or use a larger warehouse for this workload."),
        ("shuffle_heavy", "'medium'", "m.shuffle_read_bytes > m.read_bytes AND m.shuffle_read_bytes > 0",
         "Shuffled more than it read: aggregate before joining, broadcast small join sides, drop needless DISTINCT."),
        ("queued_at_capacity", "'low'",
         f"m.total_duration_ms > 0 AND m.waiting_at_capacity_duration_ms > 0 "
         f"AND m.waiting_at_capacity_duration_ms >= {float(s.queued_min_share)!r} * m.total_duration_ms",
         "Waited for a busy warehouse: raise its maximum clusters or move heavy scheduled work."),
        ("cold_start", "'low'",
         f"m.waiting_for_compute_duration_ms > 0 AND m.waiting_for_compute_duration_ms >= {int(s.cold_start_min_ms)}",
         "Waited for the warehouse to start: serverless, or a longer auto-stop for interactive hours."),
        ("compile_bound", "'low'",
         f"m.total_duration_ms > 0 AND m.compilation_duration_ms >= {float(s.compile_min_share)!r} * m.total_duration_ms "
         f"AND m.compilation_duration_ms >= {int(s.compile_min_ms)}",
         "Mostly compilation: replace huge literal lists with a join, OPTIMIZE the tables."),
        ("small_files", "'medium'",
         f"m.read_files >= {int(s.small_files_min_files)} AND m.read_bytes / m.read_files < {int(s.small_files_max_avg_bytes)}",
         "Many small files: run OPTIMIZE on the table (or enable predictive optimization)."),
        ("long_running", "'medium'", f"m.total_duration_ms > {int(s.long_running_ms)}",
         "Ran for a long time: see qopt's findings for this statement."),
        ("high_cost", "'high'", f"m.cost_usd IS NOT NULL AND m.cost_usd > {float(s.high_cost_usd)!r}",
         "One run cost more than the high-cost threshold (attributed warehouse cost)."),
    ]


def opportunities_sql(target: Target, settings: Any) -> str:
    """One row per statement and metric rule that fires, over the two views above (so cost is attributed)."""
    perf, cost = target.name("genie_query_performance"), target.name("genie_cost_attribution")
    metrics = (
        "SELECT p.statement_id, p.workspace_id, p.executed_by, p.warehouse_id, p.start_time, p.query_date, "
        "coalesce(p.read_bytes, 0) AS read_bytes, coalesce(p.read_files, 0) AS read_files, "
        "coalesce(p.pruned_files, 0) AS pruned_files, "
        "CASE WHEN coalesce(p.read_files, 0) + coalesce(p.pruned_files, 0) > 0 THEN "
        "coalesce(p.pruned_files, 0) / (coalesce(p.read_files, 0) + coalesce(p.pruned_files, 0)) END AS pruned_share, "
        "coalesce(p.spilled_local_bytes, 0) AS spilled_local_bytes, "
        "coalesce(p.shuffle_read_bytes, 0) AS shuffle_read_bytes, "
        "coalesce(p.total_duration_ms, 0) AS total_duration_ms, "
        "coalesce(p.waiting_at_capacity_duration_ms, 0) AS waiting_at_capacity_duration_ms, "
        "coalesce(p.waiting_for_compute_duration_ms, 0) AS waiting_for_compute_duration_ms, "
        "coalesce(p.compilation_duration_ms, 0) AS compilation_duration_ms, c.cost_usd "
        f"FROM {perf} AS p LEFT JOIN {cost} AS c ON c.statement_id = p.statement_id"
    )
    parts = []
    for rule, severity, condition, advice in _rule_checks(settings):
        parts.append(
            f"SELECT m.statement_id, m.workspace_id, m.executed_by, m.warehouse_id, m.start_time, m.query_date, "
            f"'{rule}' AS rule, {severity} AS severity, '{advice.replace(chr(39), chr(39) * 2)}' AS advice, "
            f"m.total_duration_ms, m.read_bytes, m.cost_usd FROM m WHERE {condition}"
        )
    return f"WITH m AS ({metrics})\n" + "\nUNION ALL\n".join(parts)


def views(target: Target, settings: Any, *, days: int = 30) -> list[View]:
    return [
        View("genie_query_performance", DESCRIPTIONS["genie_query_performance"], PERFORMANCE_SQL.format(days=int(days))),
        View("genie_cost_attribution", DESCRIPTIONS["genie_cost_attribution"], cost_sql(days)),
        View("genie_optimization_opportunities", DESCRIPTIONS["genie_optimization_opportunities"],
             opportunities_sql(target, settings)),
    ]


def statements(target: Target, settings: Any, *, days: int = 30) -> list[str]:
    """CREATE SCHEMA + one CREATE OR REPLACE VIEW per view, Databricks dialect, in dependency order."""
    out = [f"CREATE SCHEMA IF NOT EXISTS {target.schema_name}"]
    for view in views(target, settings, days=days):
        out.append(f"CREATE OR REPLACE VIEW {target.name(view.name)} AS\n{view.sql.strip()}")
    return out


DESCRIPTIONS = {
    "genie_query_performance": (
        "One row per SQL statement of the last days (from system.query.history): who ran it (executed_by), on "
        "which warehouse (warehouse_id), whether it FINISHED or FAILED (execution_status), and its metrics — "
        "total_duration_ms, execution/compilation/queue times in ms, read_bytes, read_rows, produced_rows, "
        "read_files, pruned_files, pruned_file_ratio (share of files skipped), spilled_local_bytes, "
        "shuffle_read_bytes, from_result_cache. Durations are milliseconds; sizes are bytes."
    ),
    "genie_cost_attribution": (
        "One row per statement with cost_usd: its share of the warehouse's billed cost (list price), split hour "
        "by hour in proportion to task time; idle warehouse time is not attributed to any statement. Join to "
        "genie_query_performance on statement_id. Sum cost_usd by executed_by, warehouse_id or query_date for "
        "spend by user, warehouse or day."
    ),
    "genie_optimization_opportunities": (
        "One row per statement and finding of qopt's metric rules: rule (low_file_pruning, disk_spill, "
        "shuffle_heavy, queued_at_capacity, cold_start, compile_bound, small_files, long_running, high_cost), "
        "severity (high, medium, low), advice, and the statement's cost_usd. A statement can have several rows."
    ),
}

INSTRUCTIONS = (
    "Money is in US dollars at list price (cost_usd). Durations are milliseconds: divide by 1000 for seconds. "
    "Bytes are bytes: divide by 1024^3 for GiB. 'Expensive' means highest sum of cost_usd. 'Slow' means highest "
    "total_duration_ms. Failing queries have execution_status = 'FAILED'. Never show statement text."
)

SAMPLE_QUESTIONS = (
    "Which users spent the most in the last 7 days?",
    "Which warehouses cost the most this month?",
    "Show total spend by day for the last 30 days.",
    "What are the 10 slowest queries this week and who ran them?",
    "How many queries failed yesterday, by warehouse?",
    "Which optimization opportunities would save the most money?",
    "Why is warehouse X expensive: which users and rules drive its cost?",
    "How much of our queries' time is spent waiting for a warehouse at capacity?",
)
