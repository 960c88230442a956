"""The digest on the generated demo warehouse: numbers against an independent calculation from the raw tables
(billing priced in Python, attribution by the test oracle), and golden Reply / Block Kit / Adaptive Card forms."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

import pytest

from qopt.app import Bot
from qopt.config import Settings
from qopt.jobs import Jobs
from qopt.recommend.fingerprint import fingerprint
from qopt.state.records import Records
from qopt.warehouse.duckdb import DuckDBWarehouse
from tests.conftest import DEMO_END, DEMO_NOW
from tests.costs import attribution_oracle as oracle
from tests.scheduler.test_digest_content import check_golden
from tests.skills.test_numbers import _billing

DAY = DEMO_END + timedelta(days=1)  # the digest posted the morning after the data's last day


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), timezone.utc)


@pytest.fixture
async def demo_bot(demo_warehouse_path, tmp_path):
    bot = Bot(Settings(data_dir=tmp_path, timezone="UTC"), warehouse=DuckDBWarehouse(demo_warehouse_path),
              clock=lambda: DEMO_NOW + timedelta(hours=8))
    yield bot
    await bot.close()


async def digest_with_an_alert(bot: Bot):
    records = Records(bot.services.state)
    rule = await records.add_rule(platform="slack", channel_id="C1", team_id="T1", metric="daily_cost", op=">",
                                  threshold=100, scope_kind=None, scope_value=None, cooldown_seconds=3600,
                                  created_by="U1", created_by_name="Ana")
    await records.record_firing(rule.id, "all", DEMO_END.isoformat(), 123.456)
    return await Jobs(bot.services, {}).digest_reply("slack", "C1", DAY, "daily")


async def test_digest_numbers_match_an_independent_calculation(raw, demo_bot):
    from qopt.digest import compute_digest

    data = await compute_digest(demo_bot.services.warehouse, DAY, settings=demo_bot.settings)
    by_day = {DAY - timedelta(days=i): sum(r["cost"] for r in _billing(raw, midnight(DAY - timedelta(days=i)),
                                                                       midnight(DAY - timedelta(days=i - 1))))
              for i in range(1, 21)}
    yesterday, before = DAY - timedelta(days=1), DAY - timedelta(days=2)
    assert by_day[yesterday] > 0
    assert data.current == pytest.approx(by_day[yesterday], rel=1e-9)
    assert data.prior == pytest.approx(by_day[before], rel=1e-9)
    baseline = sum(by_day[DAY - timedelta(days=i)] for i in range(2, 9)) / 7
    assert data.baseline == pytest.approx(baseline, rel=1e-9)
    assert data.change_vs_baseline == pytest.approx((by_day[yesterday] - baseline) / baseline * 100, rel=1e-9)
    month_to_date = sum(v for d, v in by_day.items() if d.month == yesterday.month and d < DAY)
    assert data.month_to_date == pytest.approx(month_to_date, rel=1e-9)
    rate = sum(by_day[DAY - timedelta(days=i)] for i in range(1, 8)) / 7
    assert data.forecast == pytest.approx(month_to_date + rate * (date(2026, 12, 1) - DAY).days, rel=1e-9)
    # Idle warehouse time and the top recurring queries, from the oracle's attribution of that day.
    expected = oracle.compute(raw, midnight(yesterday), midnight(DAY))
    assert data.idle == pytest.approx(expected.total_idle, rel=1e-6)
    cost, runs = defaultdict(float), defaultdict(int)
    for sid, text, started in raw.execute("SELECT statement_id, statement_text, start_time FROM query.history").fetchall():
        if midnight(yesterday) <= started < midnight(DAY):
            fp = fingerprint(text).id
            cost[fp] += expected.statement.get(sid, 0.0)
            runs[fp] += 1
    assert len(data.top) == 5
    for query in data.top:
        assert query.cost_usd == pytest.approx(cost[query.fingerprint], abs=1e-6)
        assert query.runs == runs[query.fingerprint]
    assert data.top[0].cost_usd == pytest.approx(max(cost.values()), abs=1e-6)
    for opportunity in data.opportunities:
        assert opportunity.fingerprint in {q.fingerprint for q in data.top} and opportunity.savings_usd > 0


async def test_demo_digest_golden_in_every_form(demo_bot):
    reply = await digest_with_an_alert(demo_bot)
    document = reply.to_json()
    check_golden("demo_digest.json", document)
    text = str(document)
    assert "#1 daily_cost > $100 (all workspaces): $123 on 2026-11-20" in text
    for block in document["blocks"]:
        if block["type"] == "table" and "query" in block["columns"]:
            for row in block["rows"]:
                assert fingerprint(row[1].rstrip("…")).masked  # masked text, no literal values
    slack = pytest.importorskip("adapters.slack.blocks")
    check_golden("demo_digest.slack.json", slack.render_message(reply))
    teams = pytest.importorskip("adapters.teams.cards")
    check_golden("demo_digest.teams.json", teams.render_activity(reply))
