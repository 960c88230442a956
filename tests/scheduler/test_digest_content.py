"""Digest content on the scenario warehouse: every number against a hand calculation, plus golden Reply JSON."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from qopt.digest import compute_digest, digest_reply
from qopt.recommend.fingerprint import fingerprint
from tests.scheduler import scenario

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, document: object) -> None:
    """Compare with golden/<name>; QOPT_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("QOPT_UPDATE_GOLDEN") == "1" or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text), f"golden {name} differs"


async def test_daily_digest_numbers():
    data = await compute_digest(scenario.warehouse(), scenario.TODAY)
    assert data.current == pytest.approx(180.0)  # 150 (w1) + 30 (w2) on 03-09
    assert data.prior == pytest.approx(100.0)
    assert data.baseline == pytest.approx(100.0)  # 03-02 .. 03-08
    assert data.change_vs_prior == pytest.approx(80.0)
    assert data.change_vs_baseline == pytest.approx(80.0)
    assert data.month_to_date == pytest.approx(8 * 100 + 180)
    # Forecast: month to date + the average of the last 7 complete days (03-03..03-09) for the 22 days left.
    assert data.forecast == pytest.approx(980 + (6 * 100 + 180) / 7 * 22)
    assert data.idle == pytest.approx(75 + 30)  # w1: 150 × 30/60 idle; w2: no events, all idle
    assert data.idle_top == ("w1", pytest.approx(75.0))
    assert len(data.top) == 1
    top = data.top[0]
    assert top.runs == 2 and top.cost_usd == pytest.approx(75.0) and top.owner == scenario.ANA
    assert top.fingerprint == fingerprint(scenario.RECURRING_SQL.format(day="2026-03-02")).id
    assert "2026-03" not in top.masked  # literals never reach a channel


async def test_weekly_digest_numbers():
    data = await compute_digest(scenario.warehouse(), scenario.TODAY, frequency="weekly")
    assert data.start == scenario.TODAY - timedelta(days=7)
    assert data.current == pytest.approx(6 * 100 + 180)  # 03-03 .. 03-09
    assert data.prior == pytest.approx(2 * 100)  # 03-01 .. 03-02 (no billing before March)
    assert data.change_vs_baseline == pytest.approx((780 - 7 * (100 * 2) / 7) / 200 * 100)


async def test_digest_reply_golden():
    data = await compute_digest(scenario.warehouse(), scenario.TODAY)
    reply = digest_reply(data)
    document = reply.to_json()
    check_golden("digest_daily.json", document)
    fields = {f["label"]: f["value"] for b in document["blocks"] if b["type"] == "fields" for f in b["fields"]}
    assert fields["Yesterday spend"] == 180.0
    assert fields["vs the day before"] == "+80.0%"
    table = next(b for b in document["blocks"] if b["type"] == "table")
    assert table["columns"] == ["fingerprint", "query", "runs", "cost_usd", "owner"]
    assert table["rows"][0][2:] == [2, 75.0, scenario.ANA]
    assert "sales.orders" in table["rows"][0][1] and "'2026" not in table["rows"][0][1]


async def test_digest_renders_for_slack_and_teams():
    reply = digest_reply(await compute_digest(scenario.warehouse(), scenario.TODAY))
    slack = pytest.importorskip("adapters.slack.blocks")
    message = slack.render_message(reply)
    check_golden("digest_daily.slack.json", message)
    assert "$180" in message["text"]
    teams = pytest.importorskip("adapters.teams.cards")
    activity = teams.render_activity(reply)
    check_golden("digest_daily.teams.json", activity)
    assert "$180" in json.dumps(activity)


async def test_empty_warehouse_digest_is_still_a_message():
    import duckdb

    from qopt.warehouse.duckdb import DuckDBWarehouse
    from qopt.warehouse.schema import ddl

    conn = duckdb.connect()
    for statement in ddl():
        conn.execute(statement)
    data = await compute_digest(DuckDBWarehouse.from_connection(conn), scenario.TODAY)
    reply = digest_reply(data)
    assert data.current == 0 and data.change_vs_prior is None
    assert "No SQL warehouse queries" in json.dumps(reply.to_json())


async def test_digest_shows_only_the_workspaces_of_its_channel(make_bot):
    from qopt.jobs import Jobs

    bot = await make_bot(workspace_map="slack:T1=ws2;slack:T2=ws1,ws2")
    only_ws2 = await Jobs(bot.services, {}).digest_reply("slack", "C1", scenario.TODAY, "daily", team_id="T1")
    both = await Jobs(bot.services, {}).digest_reply("slack", "C1", scenario.TODAY, "daily", team_id="T2")
    spend = lambda reply: next(f.value for b in reply.blocks if b.type == "fields" for f in b.fields)  # noqa: E731
    assert (spend(only_ws2), spend(both)) == (30.0, 180.0)  # w2 alone billed 30 on 03-09
    assert "No SQL warehouse queries" in only_ws2.text + str(only_ws2.to_json())  # ws1's statements are not shown
    unmapped = await Jobs(bot.services, {}).digest_reply("slack", "C1", scenario.TODAY, "daily", team_id="T3")
    assert not unmapped.ok and "not mapped" in unmapped.text
