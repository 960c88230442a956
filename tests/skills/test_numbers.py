"""The numbers `top`, `cost` and `query` show, recomputed independently from the raw demo tables."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest

from qopt.recommend.fingerprint import fingerprint
from qopt.workload import Window
from tests.conftest import DEMO_NOW
from tests.costs import attribution_oracle as oracle
from tests.skills.conftest import table


def _billing(raw, start, end):
    """Priced billing rows in [start, end), computed in Python from the raw tables."""
    prices = raw.execute(
        'SELECT sku_name, cloud, price_start_time, price_end_time, CAST(pricing."default" AS DOUBLE) FROM billing.list_prices'
    ).fetchall()
    rows = raw.execute(
        "SELECT workspace_id, sku_name, cloud, usage_start_time, usage_end_time, CAST(usage_quantity AS DOUBLE),"
        " billing_origin_product, usage_metadata.warehouse_id,"
        " coalesce(identity_metadata.run_as, identity_metadata.owned_by, identity_metadata.created_by)"
        " FROM billing.usage"
    ).fetchall()
    out = []
    for ws, sku, cloud, u_start, u_end, qty, product, wh, owner in rows:
        if not start <= u_start < end:
            continue
        price = [p for s, c, a, b, p in prices if s == sku and c == cloud and u_start >= a and (b is None or u_end <= b)]
        assert len(price) == 1, f"{sku} at {u_start} has {len(price)} prices"
        out.append(dict(workspace=ws, sku=sku, product=product, warehouse=wh, owner=owner, cost=qty * price[0]))
    return out


@pytest.mark.parametrize("days", [1, 7])
async def test_attributed_plus_idle_is_billed_on_the_generated_warehouse(raw, bot, days):
    window = Window.last_days(DEMO_NOW, days)
    expected = oracle.compute(raw, window.start, window.end)
    assert expected.total_billed > 0
    # The identity itself (±0.5%), on the oracle's own numbers ...
    assert expected.total_attributed + expected.total_idle == pytest.approx(expected.total_billed, rel=0.005)
    # ... and qopt's SQL agrees with the oracle statement by statement.
    from qopt.queries import load

    result = await bot.services.warehouse.query(load("attribution"), window.params())
    ours = dict(result.rows)
    assert sum(ours.values()) == pytest.approx(expected.total_attributed, rel=1e-6)
    worst = max(abs(ours.get(sid, 0.0) - cost) for sid, cost in expected.statement.items())
    assert worst < 1e-6


async def test_top_matches_an_independent_grouping(raw, ask):
    reply = await ask("top --days 7 --limit 5")
    columns, rows = table(reply)
    assert {"fingerprint", "runs", "cost_usd"} <= set(columns)
    costs = [r[columns.index("cost_usd")] for r in rows]
    assert costs == sorted(costs, reverse=True) and len(rows) == 5
    window = Window.last_days(DEMO_NOW, 7)
    attributed = oracle.compute(raw, window.start, window.end).statement
    runs, cost = defaultdict(int), defaultdict(float)
    for sid, text, start in raw.execute("SELECT statement_id, statement_text, start_time FROM query.history").fetchall():
        if window.start <= start < window.end:
            fp = fingerprint(text).id
            runs[fp] += 1
            cost[fp] += attributed.get(sid, 0.0)
    for row in rows:
        fp = row[columns.index("fingerprint")]
        assert row[columns.index("runs")] == runs[fp]
        assert row[columns.index("cost_usd")] == pytest.approx(cost[fp], abs=1e-3)
    # Nothing more expensive was left out.
    assert costs[0] == pytest.approx(max(cost.values()), abs=1e-3)


@pytest.mark.parametrize("by", ["sku", "warehouse", "workspace", "product", "day", "user"])
async def test_cost_breakdowns_add_up_to_the_independent_total(raw, ask, by):
    window = Window.last_days(DEMO_NOW, 7)
    expected_total = sum(r["cost"] for r in _billing(raw, window.start, window.end))
    reply = await ask(f"cost --days 7 --by {by}")
    columns, rows = table(reply)
    assert columns[1] == "cost_usd"
    assert sum(r[1] for r in rows) == pytest.approx(expected_total, abs=1e-4)


async def test_cost_by_sku_rows_are_the_independent_sums(raw, ask):
    window = Window.last_days(DEMO_NOW, 7)
    expected = defaultdict(float)
    for r in _billing(raw, window.start, window.end):
        expected[r["sku"]] += r["cost"]
    columns, rows = table(await ask("cost --days 7 --by sku"))
    assert {r[0]: r[1] for r in rows} == pytest.approx(dict(expected), abs=1e-4)


async def test_cost_by_user_uses_the_attribution(raw, ask):
    window = Window.last_days(DEMO_NOW, 7)
    attributed = oracle.compute(raw, window.start, window.end)
    owners = dict(raw.execute("SELECT statement_id, executed_by FROM query.history").fetchall())
    expected = defaultdict(float)
    for sid, cost in attributed.statement.items():
        expected[owners[sid]] += cost
    columns, rows = table(await ask("cost --days 7 --by user"))
    shown = {r[0]: r[1] for r in rows}
    assert shown["(idle warehouse time)"] == pytest.approx(attributed.total_idle, rel=1e-6)
    top_user = max(expected, key=expected.get)
    non_warehouse = sum(r["cost"] for r in _billing(raw, window.start, window.end)
                        if r["warehouse"] is None and r["owner"] == top_user)
    assert shown[top_user] == pytest.approx(expected[top_user] + non_warehouse, rel=1e-6)


async def test_cost_overview_total_change_and_forecast(raw, ask):
    window = Window.last_days(DEMO_NOW, 7)
    current = sum(r["cost"] for r in _billing(raw, window.start, window.end))
    previous = sum(r["cost"] for r in _billing(raw, window.start - timedelta(days=7), window.start))
    reply = await ask("cost --days 7")
    fields = {f.label: f.value for b in reply.blocks if b.type == "fields" for f in b.fields}
    assert fields["Total"] == pytest.approx(current, abs=0.006)
    assert fields["Previous window"] == pytest.approx(previous, abs=0.006)
    assert fields["Change"] == pytest.approx((current - previous) / previous * 100, abs=0.06)
    # November: month to date is everything from Nov 1; the rate is the mean of Nov 14..20; 10 days remain.
    month = sum(r["cost"] for r in _billing(raw, window.end.replace(day=1), window.end))
    rate = sum(r["cost"] for r in _billing(raw, window.end - timedelta(days=7), window.end)) / 7
    assert fields["Month to date (November)"] == pytest.approx(month, abs=0.006)
    assert fields["Month-end forecast"] == pytest.approx(month + rate * 10, abs=0.01)


async def test_query_shows_the_statements_attributed_cost(raw, ask):
    sid, start, end = raw.execute(
        "SELECT statement_id, start_time, end_time FROM query.history WHERE execution_status = 'FINISHED'"
        " AND total_task_duration_ms > 0 ORDER BY total_task_duration_ms DESC LIMIT 1"
    ).fetchone()
    window = Window.around(start, end)
    expected = oracle.compute(raw, window.start, window.end).statement[sid]
    reply = await ask(f"query {sid}")
    fields = {f.label: f.value for b in reply.blocks if b.type == "fields" for f in b.fields}
    assert fields["Attributed cost"] == pytest.approx(expected, abs=1e-4)
    phases = table(reply)[1]
    assert sum(r[1] for r in phases) == fields["Total duration"]
