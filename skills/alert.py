"""`alert`: threshold alerts for this channel — add, list, remove, snooze."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from qopt import alerting
from qopt.bot.options import USER, WAREHOUSE, WORKSPACE, Option
from qopt.bot.reply import Context, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from qopt.errors import UsageError
from qopt.state.records import AlertRule, Records
from qopt.workload import Window
from skills.common import scope_of

FORM = ("`alert add <metric> <op> <value> [--workspace ID|--warehouse ID|--user EMAIL] [--cooldown 6h]`, "
        "`alert list`, `alert remove ID`, `alert snooze ID 24h`")
COOLDOWN = Option("cooldown", "str", None, "quiet time after a firing, e.g. 30m, 6h (default 1h)", metavar="DURATION")


class AlertSkill(Skill):
    name = "alert"
    summary = "Threshold alerts in this channel: `alert add daily_cost > 500`, `alert list`, `alert snooze 3 24h`."
    examples = ("alert add daily_cost > 500", "alert add spend_change > 50%", "alert add query_cost > 25 --warehouse abc",
                "alert add query_duration > 30m", "alert add failed_queries > 100", "alert add idle_cost > 50",
                "alert list", "alert remove 3", "alert snooze 3 24h")
    positional = "add|list|remove|snooze ..."
    options = (WORKSPACE, WAREHOUSE, USER, COOLDOWN)
    aliases = ("alerts",)

    async def run(self, request: Request, services: Services) -> Reply:
        words = list(request.positionals)
        action = words[0].lower() if words else "list"
        rest = words[1:]
        records = Records(services.state)
        if action == "add":
            return await _add(request, services, records, rest)
        if action in ("list", "ls"):
            return await _list(request, services, records)
        if action in ("remove", "rm", "delete"):
            rule = await _rule_of(request, records, rest, "remove", extra_ok=False)
            await records.remove_rule(rule.id, request.place.platform, request.place.channel_id or "")
            return Reply.message(f"Removed alert #{rule.id}: {alerting.describe_rule(rule)}.")
        if action == "snooze":
            return await _snooze(request, services, records, rest)
        raise UsageError(f"`alert {_short(words[0])}` is not an alert command. Use {FORM}. "
                         f"Metrics: {alerting.metric_list()}.")


def _short(text: str, limit: int = 30) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _channel(request: Request) -> tuple[str, str]:
    place = request.place
    if place.platform not in ("slack", "teams") or not place.channel_id:
        raise UsageError("Alerts are posted into a Slack or Teams channel: set them up there.")
    return place.platform, place.channel_id


async def _add(request: Request, services: Services, records: Records, words: list[str]) -> Reply:
    spec = alerting.parse_rule(words, request.args)
    platform, channel = _channel(request)
    # A workspace must be one this place may see (QOPT_WORKSPACE_MAP), else refused with the reason; a warehouse
    # may be given by name and is stored by id.
    scope = await scope_of(request, services, Window.last_days(services.clock(), 30))
    if spec.scope_kind == "warehouse":
        spec = replace(spec, scope_value=scope.warehouse)
    rule = await records.add_rule(
        platform=platform, channel_id=channel, team_id=request.place.team_id, metric=spec.metric, op=spec.op,
        threshold=spec.threshold, scope_kind=spec.scope_kind, scope_value=spec.scope_value,
        cooldown_seconds=spec.cooldown_seconds, created_by=request.user.user_id,
        created_by_name=request.user.name or request.user.email,
    )  # fmt: skip
    metric = alerting.METRICS[rule.metric]
    minutes = services.settings.alert_interval_minutes
    text = (f"Alert #{rule.id} added: {alerting.describe_rule(rule)} — {metric.summary}. I check every {minutes:g} min "
            f"and post here once per {'statement' if rule.metric.startswith('query_') else 'day'}, "
            f"at most every {_duration(rule.cooldown_seconds)}.")
    return Reply(text=text, blocks=[Text(text=text), Context(text=f"`alert snooze {rule.id} 24h` pauses it; "
                                                                   f"`alert remove {rule.id}` deletes it.")])


async def _list(request: Request, services: Services, records: Records) -> Reply:
    platform, channel = _channel(request)
    rules = await records.rules(platform, channel)
    if not rules:
        return Reply.message(f"No alerts in this channel. Add one: `alert add daily_cost > 500`. Metrics: "
                             f"{alerting.metric_list()}.")
    now = services.clock().timestamp()
    rows = []
    for rule in rules:
        snoozed = (f"{datetime.fromtimestamp(rule.snoozed_until, timezone.utc):%Y-%m-%d %H:%M} UTC"
                   if rule.snoozed_until and rule.snoozed_until > now else "")
        rows.append([rule.id, alerting.describe_rule(rule), _duration(rule.cooldown_seconds), snoozed,
                     rule.created_by_name or rule.created_by])
    table = Table(columns=["id", "rule", "cooldown", "snoozed_until", "created_by"], rows=rows)
    text = f"{len(rules)} alert{'s' if len(rules) != 1 else ''} in this channel: " + "; ".join(
        f"#{r.id} {alerting.describe_rule(r)}" for r in rules)
    return Reply(text=text, blocks=[table, Context(text=f"Use {FORM}.")])


async def _rule_of(request: Request, records: Records, words: list[str], action: str, *, extra_ok: bool) -> AlertRule:
    if not words or (len(words) > 1 and not extra_ok):
        raise UsageError(f"Usage: `alert {action} ID{' 24h' if action == 'snooze' else ''}` — the ID is in `alert list`.")
    raw = words[0].lstrip("#")
    if not raw.isdigit():
        raise UsageError(f"`{_short(words[0])}` is not an alert ID (a number from `alert list`).")
    platform, channel = _channel(request)
    rule = await records.rule(int(raw))
    if rule is None or (rule.platform, rule.channel_id) != (platform, channel):
        raise UsageError(f"This channel has no alert #{raw}; `alert list` shows its alerts.")
    return rule


async def _snooze(request: Request, services: Services, records: Records, words: list[str]) -> Reply:
    rule = await _rule_of(request, records, words[:1], "snooze", extra_ok=False)
    span = words[1] if len(words) > 1 else "24h"
    if len(words) > 2:
        raise UsageError("Usage: `alert snooze ID 24h` (or `alert snooze ID off`).")
    if span.lower() in ("off", "0", "none", "resume"):
        await records.snooze_rule(rule.id, rule.platform, rule.channel_id, None)
        return Reply.message(f"Alert #{rule.id} is active again.")
    try:
        seconds = alerting.parse_duration(span, default_unit="h")
    except ValueError:
        raise UsageError(f"`{_short(span)}` is not a duration: use e.g. `alert snooze {rule.id} 24h` (or 30m, 7d).") from None
    if seconds > 90 * 86400:
        raise UsageError("Snooze for at most 90 days (or `alert remove` the rule).")
    until = services.clock().timestamp() + seconds
    await records.snooze_rule(rule.id, rule.platform, rule.channel_id, until)
    when = datetime.fromtimestamp(until, timezone.utc)
    return Reply.message(f"Alert #{rule.id} ({alerting.describe_rule(rule)}) snoozed until {when:%Y-%m-%d %H:%M} UTC.")


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
