"""Threshold alerts: the metrics a channel can watch, how a rule is read from chat, and how it is evaluated.

Every number comes from the shared cost code (`qopt.costs`, `qopt.workload`); days are UTC days, as Databricks
bills them. A rule is evaluated into observations — one per (subject, period) that crosses its threshold — and the
jobs (`qopt.jobs`) record each firing once and post it. Query text only ever appears as a masked fingerprint.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from qopt import costs
from qopt.bot import format as fmt
from qopt.bot.reply import Actions, Button, Code, Context, Field_, Fields, Header, Reply, Text
from qopt.errors import UsageError
from qopt.queries import load
from qopt.state.records import AlertRule
from qopt.warehouse.base import Warehouse
from qopt.workload import Scope, Window, single_statements

OPS: dict[str, Callable[[float, float], bool]] = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
OP_WORDS = {"above": ">", "over": ">", "gt": ">", "ge": ">=", "below": "<", "under": "<", "lt": "<", "le": "<=",
            "&gt;": ">", "&gt;=": ">=", "&lt;": "<", "&lt;=": "<="}
SCOPES = ("workspace", "warehouse", "user")
MAX_FIRINGS_PER_CHECK = 5  # per rule; the rest fire at the next check
Workspaces = tuple[str, ...] | None  # the allow-list of the rule's channel (None: every workspace)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str  # usd | pct | ms | count
    summary: str
    example: str
    scopes: tuple[str, ...]
    ops: tuple[str, ...]
    default_cooldown: float  # seconds

    def usage(self) -> str:
        scopes = " ".join(f"[--{s} {s.upper() if s != 'user' else 'EMAIL'}]" for s in self.scopes)
        return f"alert add {self.name} {'|'.join(self.ops)} <{_unit_hint(self.unit)}> {scopes} [--cooldown 6h]".replace("  ", " ")


HOUR = 3600.0
METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("daily_cost", "usd", "a day's spend (today so far)", "alert add daily_cost > 500 --warehouse abc123",
               SCOPES, (">", ">=", "<", "<="), HOUR),
        Metric("spend_change", "pct", "yesterday's spend vs the trailing 7-day average, in %",
               "alert add spend_change > 50%", ("workspace",), (">", ">=", "<", "<="), HOUR),
        Metric("query_cost", "usd", "one statement's attributed cost", "alert add query_cost > 25",
               SCOPES, (">", ">="), HOUR),
        Metric("query_duration", "ms", "one statement's duration", "alert add query_duration > 30m",
               SCOPES, (">", ">="), HOUR),
        Metric("failed_queries", "count", "failed statements in a day (today so far)", "alert add failed_queries > 100",
               SCOPES, (">", ">="), HOUR),
        Metric("idle_cost", "usd", "a warehouse's idle cost in a day (today so far)", "alert add idle_cost > 50",
               ("warehouse",), (">", ">="), HOUR),
    )
}


def _unit_hint(unit: str) -> str:
    return {"usd": "dollars, e.g. 500", "pct": "percent, e.g. 50%", "ms": "duration, e.g. 30m", "count": "count"}[unit]


def metric_list() -> str:
    return ", ".join(METRICS)


# -- parsing ------------------------------------------------------------------------------------------------------

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|day|days|w)?$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "secs": 1, "m": 60, "min": 60, "mins": 60, "h": 3600, "hr": 3600, "hrs": 3600,
                 "d": 86400, "day": 86400, "days": 86400, "w": 604800}


def parse_duration(text: str, *, default_unit: str = "s") -> float:
    """`90s`, `30m`, `24h`, `2d`, `1w` (a bare number is in `default_unit`) → seconds. ValueError otherwise."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(text)
    number = float(match.group(1))
    unit = (match.group(2) or default_unit).lower()
    seconds = number * _UNIT_SECONDS[unit]
    if seconds <= 0:
        raise ValueError(text)
    return seconds


def parse_op(text: str) -> str:
    op = OP_WORDS.get(text.lower(), text)
    if op not in OPS:
        raise ValueError(text)
    return op


def parse_threshold(metric: Metric, text: str) -> float:
    """The threshold in the metric's unit: dollars, percent, milliseconds or a count."""
    raw = text.strip().replace(",", "")
    if metric.unit == "ms":
        return parse_duration(raw, default_unit="s") * 1000
    if metric.unit == "usd":
        raw = raw.removeprefix("$").removesuffix("$")
        scale = 1000.0 if raw.lower().endswith("k") else 1.0
        raw = raw[:-1] if scale != 1.0 else raw
    elif metric.unit == "pct":
        raw, scale = raw.removesuffix("%"), 1.0
    else:
        scale = 1.0
    value = float(raw) * scale
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    if metric.unit in ("usd", "count") and value < 0:
        raise ValueError(text)
    if metric.unit == "count" and value != int(value):
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class RuleSpec:
    """A validated `alert add` request, before it is stored."""

    metric: str
    op: str
    threshold: float
    scope_kind: str | None
    scope_value: str | None
    cooldown_seconds: float


def parse_rule(positionals: list[str], args: dict[str, Any]) -> RuleSpec:
    """`<metric> <op> <value>` plus `--workspace/--warehouse/--user` and `--cooldown`; UsageError shows the form."""
    general = "Usage: `alert add <metric> <op> <value> [--workspace ID|--warehouse ID|--user EMAIL] [--cooldown 6h]`"
    if not positionals:
        raise UsageError(f"{general}. Metrics: {metric_list()}.")
    # `>500` and `> 500` alike.
    words = _split_ops(positionals)
    name = words[0].lower()
    metric = METRICS.get(name)
    if metric is None:
        import difflib

        hint = difflib.get_close_matches(name, list(METRICS), n=1)
        extra = f" Did you mean `{hint[0]}`?" if hint else ""
        raise UsageError(f"Unknown metric `{_short(words[0])}`.{extra} Metrics: {metric_list()}. {general}.")
    form = f"Usage: `{metric.usage()}` — e.g. `{metric.example}`"
    if len(words) != 3:
        raise UsageError(f"`{metric.name}` needs an operator and a value. {form}.")
    try:
        op = parse_op(words[1])
    except ValueError:
        raise UsageError(f"Unknown operator `{_short(words[1])}` (use {', '.join(metric.ops)}). {form}.") from None
    if op not in metric.ops:
        raise UsageError(f"`{metric.name}` takes {', '.join(metric.ops)}, not `{op}`. {form}.")
    try:
        threshold = parse_threshold(metric, words[2])
    except ValueError:
        raise UsageError(f"`{_short(words[2])}` is not a valid value: {_unit_hint(metric.unit)}. {form}.") from None
    scopes = [(s, args.get(s)) for s in SCOPES if args.get(s)]
    if len(scopes) > 1:
        raise UsageError(f"Give at most one scope (--workspace, --warehouse or --user). {form}.")
    scope_kind, scope_value = scopes[0] if scopes else (None, None)
    if scope_kind and scope_kind not in metric.scopes:
        raise UsageError(f"`{metric.name}` cannot be scoped by {scope_kind}. {form}.")
    cooldown = metric.default_cooldown
    if args.get("cooldown"):
        try:
            cooldown = parse_duration(str(args["cooldown"]), default_unit="m")
        except ValueError:
            raise UsageError(f"`--cooldown {_short(str(args['cooldown']))}` is not a duration (e.g. 30m, 6h, 1d).") from None
    return RuleSpec(metric.name, op, threshold, scope_kind, scope_value, cooldown)


def _split_ops(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        match = re.match(r"^(>=|<=|>|<|&gt;=|&lt;=|&gt;|&lt;)([-+$.\d].*)$", word)
        out.extend(match.groups() if match else [word])
    return out


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- describing ---------------------------------------------------------------------------------------------------


def show_value(unit: str, value: float) -> str:
    if unit == "usd":
        return fmt.money(value)
    if unit == "pct":
        return f"{value:+.1f}%"
    if unit == "ms":
        return fmt.duration(value)
    return fmt.count(value)


def describe_scope(rule: AlertRule) -> str:
    return f"{rule.scope_kind} {rule.scope_value}" if rule.scope_kind else "all workspaces"


def describe_subject(rule: AlertRule, subject: str) -> str:
    """A firing's subject for people: empty when it is the rule's own scope, else "warehouse w1", "statement 01ef…"."""
    if subject == _subject(rule):
        return ""
    if rule.metric in ("query_cost", "query_duration"):
        return f"statement {subject}"
    return subject.replace(":", " ", 1)


def describe_rule(rule: AlertRule) -> str:
    metric = METRICS[rule.metric]
    threshold = show_value(metric.unit, rule.threshold) if metric.unit != "pct" else f"{rule.threshold:g}%"
    return f"{rule.metric} {rule.op} {threshold} ({describe_scope(rule)})"


# -- evaluation ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """One crossing: the rule's metric for `subject` over `period` was `observed`."""

    subject: str  # what crossed: the scope ("all", "warehouse abc"), or a statement id / warehouse id
    period: str  # the day (YYYY-MM-DD) it belongs to
    observed: float
    detail: dict[str, Any]


def day_window(day: date) -> Window:
    start = datetime.combine(day, time(), timezone.utc)
    return Window(start, start + timedelta(days=1))


def _rule_scope(rule: AlertRule, workspaces: Workspaces) -> Scope:
    own = {rule.scope_kind: rule.scope_value} if rule.scope_kind else {}
    return Scope(**own, workspaces=workspaces)


def _subject(rule: AlertRule) -> str:
    return f"{rule.scope_kind}:{rule.scope_value}" if rule.scope_kind else "all"


def watched_days(rule: AlertRule, now: datetime) -> list[date]:
    """Today (UTC) and — when the rule already watched it — yesterday, whose late billing may still arrive."""
    today = now.astimezone(timezone.utc).date()
    days = [today]
    if rule.created_at < datetime.combine(today, time(), timezone.utc).timestamp():
        days.insert(0, today - timedelta(days=1))
    return days


async def evaluate(
    rule: AlertRule, warehouse: Warehouse, now: datetime, workspaces: Sequence[str] | None = None
) -> list[Observation]:
    """The observations of `rule` that cross its threshold now (firing history is the caller's business).
    `workspaces`: what the rule's channel may see (`qopt.policy.for_channel`; None = every workspace)."""
    check = OPS[rule.op]
    values = await _EVALUATORS[rule.metric](rule, warehouse, now, None if workspaces is None else tuple(workspaces))
    return [o for o in values if check(o.observed, rule.threshold)]


async def _daily_cost(rule: AlertRule, warehouse: Warehouse, now: datetime, ws: Workspaces) -> list[Observation]:
    out = []
    for day in watched_days(rule, now):
        window = day_window(day)
        if rule.scope_kind == "user":
            spent = await costs.spend(warehouse, window, workspaces=ws)
            by_user = await costs.cost_by_user(warehouse, window, spent, workspaces=ws)
            wanted = (rule.scope_value or "").lower()
            value = sum(v for user, v in by_user.items() if user.lower() == wanted)
        elif rule.scope_kind == "warehouse":
            spent = await costs.spend(warehouse, window, workspaces=ws)
            value = spent.by_warehouse.get(rule.scope_value or "", 0.0)
        else:
            value = (await costs.spend(warehouse, window, workspace=rule.scope_value, workspaces=ws)).total
        out.append(Observation(_subject(rule), day.isoformat(), value, {"day": day.isoformat()}))
    return out


async def _spend_change(rule: AlertRule, warehouse: Warehouse, now: datetime, ws: Workspaces) -> list[Observation]:
    today = now.astimezone(timezone.utc).date()
    yesterday = today - timedelta(days=1)
    window = Window(day_window(yesterday - timedelta(days=7)).start, day_window(yesterday).end)
    spent = await costs.spend(warehouse, window, workspace=rule.scope_value, workspaces=ws)
    baseline_days = [yesterday - timedelta(days=i) for i in range(1, 8)]
    baseline = sum(spent.by_day.get(d, 0.0) for d in baseline_days) / 7
    if baseline <= 0:
        return []
    value = spent.by_day.get(yesterday, 0.0)
    change = (value - baseline) / baseline * 100
    detail = {"day": yesterday.isoformat(), "spend": value, "baseline": baseline}
    return [Observation(_subject(rule), yesterday.isoformat(), change, detail)]


async def _single(
    rule: AlertRule, warehouse: Warehouse, now: datetime, ws: Workspaces, order: str, column: str
) -> list[Observation]:
    from qopt.recommend.fingerprint import fingerprint

    since = max(rule.created_at, now.timestamp() - 86400)
    window = Window.around(datetime.fromtimestamp(since, timezone.utc), now)
    rows = await single_statements(warehouse, window, _rule_scope(rule, ws), order=order, limit=MAX_FIRINGS_PER_CHECK * 4)
    out = []
    for row in rows:
        started: datetime = row["start_time"]
        if started.timestamp() < since or started > now:
            continue
        fp = fingerprint(row.get("statement_text") or "")
        detail = {
            "statement_id": row["statement_id"], "user": row.get("executed_by"), "warehouse_id": row.get("warehouse_id"),
            "fingerprint": fp.id, "masked": fp.masked, "cost_usd": float(row.get("cost_usd") or 0.0),
            "duration_ms": float(row.get("total_duration_ms") or 0.0), "started": started.isoformat(),
        }
        value = detail["cost_usd"] if column == "cost_usd" else detail["duration_ms"]
        out.append(Observation(str(row["statement_id"]), started.astimezone(timezone.utc).date().isoformat(), value, detail))
    return out


async def _query_cost(rule: AlertRule, warehouse: Warehouse, now: datetime, ws: Workspaces) -> list[Observation]:
    return await _single(rule, warehouse, now, ws, "cost", "cost_usd")


async def _query_duration(rule: AlertRule, warehouse: Warehouse, now: datetime, ws: Workspaces) -> list[Observation]:
    return await _single(rule, warehouse, now, ws, "duration", "duration_ms")


async def _failed_queries(rule: AlertRule, warehouse: Warehouse, now: datetime, ws: Workspaces) -> list[Observation]:
    out = []
    for day in watched_days(rule, now):
        window = day_window(day)
        params = {**window.params(), **_rule_scope(rule, ws).params()}
        result = await warehouse.query(load("failed_statements"), params, tag="alerts")
        out.append(Observation(_subject(rule), day.isoformat(), float(result.scalar() or 0), {"day": day.isoformat()}))
    return out


async def _idle_cost(rule: AlertRule, warehouse: Warehouse, now: datetime, ws: Workspaces) -> list[Observation]:
    out = []
    for day in watched_days(rule, now):
        for wid, use in sorted((await costs.warehouse_use(warehouse, day_window(day), workspaces=ws)).items()):
            if rule.scope_kind == "warehouse" and wid != rule.scope_value:
                continue
            detail = {"day": day.isoformat(), "warehouse_id": wid, "billed": use.billed}
            out.append(Observation(f"warehouse:{wid}", day.isoformat(), use.idle, detail))
    return out


_EVALUATORS = {
    "daily_cost": _daily_cost,
    "spend_change": _spend_change,
    "query_cost": _query_cost,
    "query_duration": _query_duration,
    "failed_queries": _failed_queries,
    "idle_cost": _idle_cost,
}


# -- the message --------------------------------------------------------------------------------------------------


def alert_reply(rule: AlertRule, obs: Observation, snooze: str = "24h") -> Reply:
    """The alert posted into the channel: threshold, observed value, scope, a Details and a Snooze button."""
    metric = METRICS[rule.metric]
    observed = show_value(metric.unit, obs.observed)
    threshold = show_value(metric.unit, rule.threshold) if metric.unit != "pct" else f"{rule.threshold:g}%"
    subject = _subject_text(rule, obs)
    title = f"Alert #{rule.id}: {rule.metric} {rule.op} {threshold}"
    text = f"{title} — {subject}: {observed} ({obs.period})."
    fields = [
        Field_(label="Observed", value=observed),
        Field_(label="Threshold", value=f"{rule.op} {threshold}"),
        Field_(label="Scope", value=subject),
        Field_(label="Period", value=obs.period),
    ]
    blocks: list[Any] = [Header(text=title), Text(text=f"*{metric.summary.capitalize()}* crossed the threshold."),
                         Fields(fields=fields)]
    if "masked" in obs.detail:
        blocks.append(Code(text=obs.detail["masked"][:1500], language="sql"))
        blocks.append(Context(text=f"Statement `{obs.detail['statement_id']}` by {obs.detail.get('user') or 'unknown'} "
                                   f"on warehouse {obs.detail.get('warehouse_id') or '–'}, fingerprint "
                                   f"`{obs.detail['fingerprint']}`; cost {fmt.money(obs.detail['cost_usd'])}, "
                                   f"duration {fmt.duration(obs.detail['duration_ms'])}."))
    if rule.metric == "spend_change":
        blocks.append(Context(text=f"{obs.period}: {fmt.money(obs.detail['spend'])} vs a 7-day average of "
                                   f"{fmt.money(obs.detail['baseline'])}."))
    blocks.append(Actions(buttons=[_details(rule, obs), Button(label=f"Snooze {snooze}", action="alert",
                                                                value=f"snooze {rule.id} {snooze}")]))
    blocks.append(Context(text=f"Rule #{rule.id} set by {rule.created_by_name or rule.created_by}. "
                               f"`alert list` shows this channel's rules; `alert remove {rule.id}` deletes it."))
    return Reply(text=text, blocks=blocks)


def _subject_text(rule: AlertRule, obs: Observation) -> str:
    if rule.metric in ("query_cost", "query_duration"):
        return f"statement {obs.subject}" + (f" ({describe_scope(rule)})" if rule.scope_kind else "")
    if rule.metric == "idle_cost":
        return f"warehouse {obs.detail['warehouse_id']}"
    return describe_scope(rule)


def _details(rule: AlertRule, obs: Observation) -> Button:
    if "statement_id" in obs.detail:
        return Button(label="Details", action="query", value=str(obs.detail["statement_id"]), style="primary")
    if rule.metric == "failed_queries":
        return Button(label="Details", action="top", value="--days 1", style="primary")
    by = "warehouse" if rule.metric == "idle_cost" or rule.scope_kind == "warehouse" else "sku"
    days = 7 if rule.metric == "spend_change" else 1
    return Button(label="Details", action="cost", value=f"--by {by} --days {days}", style="primary")
