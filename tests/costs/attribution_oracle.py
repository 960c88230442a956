"""An independent, plain-Python implementation of the cost attribution of system-tables.md.

It reads the raw system tables and computes, hour by hour and warehouse by warehouse, billed cost, up time,
busy time (union of execution intervals), idle cost and each statement's share. Tests compare the SQL
(`qopt/queries/attribution.sql`) against it; it shares no code with qopt.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

HOUR_MS = 3_600_000
# Events at the same instant happen in this order.
LIFECYCLE = {"STARTING": 0, "RUNNING": 1, "STOPPING": 3, "STOPPED": 4}


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


@dataclass
class Attribution:
    billed: dict[tuple[str, int], float] = field(default_factory=dict)
    idle: dict[tuple[str, int], float] = field(default_factory=dict)
    statement: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def total_billed(self) -> float:
        return sum(self.billed.values())

    @property
    def total_idle(self) -> float:
        return sum(self.idle.values())

    @property
    def total_attributed(self) -> float:
        return sum(self.statement.values())


def compute(conn, start: datetime, end: datetime, lookback: timedelta = timedelta(days=1)) -> Attribution:
    s_ms, e_ms = ms(start), ms(end)
    prices = conn.execute(
        "SELECT sku_name, cloud, price_start_time, price_end_time, CAST(pricing.\"default\" AS DOUBLE) FROM billing.list_prices"
    ).fetchall()
    usage = conn.execute(
        "SELECT usage_metadata.warehouse_id, sku_name, cloud, usage_start_time, usage_end_time, "
        "CAST(usage_quantity AS DOUBLE) FROM billing.usage WHERE usage_metadata.warehouse_id IS NOT NULL"
    ).fetchall()
    out = Attribution()
    billed: dict[tuple[str, int], float] = defaultdict(float)
    for wh, sku, cloud, u_start, u_end, qty in usage:
        if not (start <= u_start < end):
            continue
        for p_sku, p_cloud, p_start, p_end, price in prices:
            if p_sku == sku and p_cloud == cloud and u_start >= p_start and (p_end is None or u_end <= p_end):
                billed[(wh, ms(u_start) // HOUR_MS)] += qty * price
    out.billed = dict(billed)

    events: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for wh, kind, t in conn.execute("SELECT warehouse_id, event_type, event_time FROM compute.warehouse_events").fetchall():
        if start - lookback <= t < end:
            events[wh].append((ms(t), LIFECYCLE.get(kind, 2), kind))
    up: dict[tuple[str, int], int] = defaultdict(int)
    for wh, evs in events.items():
        evs.sort()
        intervals = []
        if evs[0][2] != "STARTING":
            intervals.append((s_ms, evs[0][0]))
        for i, (t, _, kind) in enumerate(evs):
            if kind != "STOPPED":
                nxt = evs[i + 1][0] if i + 1 < len(evs) else e_ms
                intervals.append((max(t, s_ms), min(nxt, e_ms)))
        for a, b in intervals:
            for h, overlap in _hour_overlaps(a, b):
                up[(wh, h)] += overlap

    slices: dict[tuple[str, int], list[tuple[str, int, int, float]]] = defaultdict(list)
    rows = conn.execute(
        "SELECT statement_id, compute.warehouse_id, start_time, end_time, result_fetch_duration_ms, "
        "execution_duration_ms, total_task_duration_ms FROM query.history"
    ).fetchall()
    for sid, wh, st, en, fetch, exe, task in rows:
        if wh is None or not exe or not (start - lookback <= st < end) or en < start:
            continue
        b = ms(en) - fetch
        a = b - exe
        for h, overlap in _hour_overlaps(a, b):
            if s_ms <= h * HOUR_MS < e_ms:
                slices[(wh, h)].append((sid, max(a, h * HOUR_MS), min(b, (h + 1) * HOUR_MS), task * overlap / exe))

    for key, cost in out.billed.items():
        parts = slices.get(key, [])
        busy = _union_length([(a, b) for _, a, b, _ in parts])
        wh_has_events = key[0] in events
        up_ms = up.get(key, 0) if wh_has_events else HOUR_MS
        denominator = max(up_ms, busy)
        attributed = cost * busy / denominator if denominator else 0.0
        out.idle[key] = cost - attributed
        total_task = sum(p[3] for p in parts)
        total_len = sum(b - a for _, a, b, _ in parts)
        for sid, a, b, task in parts:
            weight = task / total_task if total_task else ((b - a) / total_len if total_len else 0.0)
            out.statement[sid] += attributed * weight
    return out


def _hour_overlaps(a: int, b: int):
    h = a // HOUR_MS
    while h * HOUR_MS < b:
        overlap = min(b, (h + 1) * HOUR_MS) - max(a, h * HOUR_MS)
        if overlap > 0:
            yield h, overlap
        h += 1


def _union_length(intervals: list[tuple[int, int]]) -> int:
    total, current_start, current_end = 0, None, None
    for a, b in sorted(intervals):
        if current_end is None or a > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = a, b
        else:
            current_end = max(current_end, b)
    if current_end is not None:
        total += current_end - current_start
    return total
