"""Workspace scoping through the router: each chat place sees the workspaces the map gives it, the restriction
reaches the SQL as a parameter, and the numbers equal an independent calculation over those workspaces only."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.policy.conftest import (
    ADMIN, ANALYTICS, ENGINEERING, FINANCE, FINANCE_CHANNEL, OTHER_TEAM, OTHER_TENANT, SLACK, TEAMS, TEAMS_CHANNEL,
    Asker, person, sent, texts,
)

START, END = datetime(2026, 11, 14, tzinfo=timezone.utc), datetime(2026, 11, 21, tzinfo=timezone.utc)
ANA = "ana.silva@example.com"


def billed(raw, workspaces: list[str]) -> dict[str, float]:
    """List-priced spend per workspace in the default 7-day window, computed directly on the tables."""
    marks = ",".join("?" for _ in workspaces)
    rows = raw.execute(
        f"""SELECT u.workspace_id, SUM(u.usage_quantity * CAST(p.pricing."default" AS DOUBLE))
            FROM billing.usage u JOIN billing.list_prices p
              ON u.cloud = p.cloud AND u.sku_name = p.sku_name AND u.usage_start_time >= p.price_start_time
             AND (u.usage_end_time <= p.price_end_time OR p.price_end_time IS NULL)
            WHERE u.usage_start_time >= ? AND u.usage_start_time < ? AND u.workspace_id IN ({marks})
            GROUP BY 1""",
        [START, END, *workspaces],
    ).fetchall()
    return {w: float(c) for w, c in rows}


def workspaces_sent(bot) -> list:
    """The `workspaces` parameter of every statement that used it."""
    return [p.get("workspaces") for sql, p in sent(bot) if ":workspaces" in sql]


def by_workspace(reply) -> dict[str, float]:
    (table,) = [b for b in reply.blocks if b.type == "table"]
    assert table.columns[0] == "workspace_id"
    return {row[0]: row[1] for row in table.rows}


@pytest.mark.parametrize(
    ("asker", "place", "expected"),
    [
        (SLACK, SLACK.dm(), [ANALYTICS]),
        (SLACK, SLACK.channel(), [ANALYTICS]),
        (SLACK, SLACK.channel(FINANCE_CHANNEL), [FINANCE]),  # a channel entry wins over its workspace's
        (TEAMS, TEAMS.dm(), [ENGINEERING]),
        (TEAMS, TEAMS.channel(), [ENGINEERING]),
        (TEAMS, TEAMS.channel(TEAMS_CHANNEL + ";messageid=1732"), [ENGINEERING, FINANCE]),  # a channel thread
    ],
    ids=["slack-dm", "slack-channel", "slack-mapped-channel", "teams-dm", "teams-channel", "teams-mapped-channel"],
)
async def test_cost_shows_only_the_mapped_workspaces(bot, raw, asker, place, expected):
    reply = await bot.handle("cost --by workspace", person(ANA, asker.platform), place)
    assert reply.ok, reply.text
    shown = by_workspace(reply)
    assert set(shown) == set(expected)
    oracle = billed(raw, expected)
    for workspace, cost in shown.items():
        assert cost == pytest.approx(oracle[workspace], abs=1e-3)
    assert workspaces_sent(bot) and all(w == expected for w in workspaces_sent(bot))


async def test_admin_sees_every_workspace_even_where_the_map_says_nothing(bot, raw):
    place = Asker("slack", OTHER_TEAM).dm()
    reply = await bot.handle("cost --by workspace", person(ADMIN), place)
    assert reply.ok, reply.text
    shown = by_workspace(reply)
    assert set(shown) == {ANALYTICS, ENGINEERING, FINANCE}
    oracle = billed(raw, [ANALYTICS, ENGINEERING, FINANCE])
    assert sum(shown.values()) == pytest.approx(sum(oracle.values()), abs=1e-2)
    assert all(w is None for w in workspaces_sent(bot))


async def test_no_map_means_every_workspace(make_bot):
    bot = make_bot(workspace_map="")
    reply = await bot.handle("cost --by workspace", person(ANA), SLACK.dm())
    assert set(by_workspace(reply)) == {ANALYTICS, ENGINEERING, FINANCE}


@pytest.mark.parametrize("place", [Asker("slack", OTHER_TEAM).dm(), Asker("teams", OTHER_TENANT).channel(),
                                   Asker("slack", None).channel("C0UNKNOWN")], ids=["slack", "teams", "no-team"])
@pytest.mark.parametrize("command", ["top --each", "cost --by user", "query 6dd6c9f6-fa7d-73bb-35d7-64d11d49ad65",
                                     "ask who spent the most this week?"])
async def test_unmapped_chat_workspace_sees_nothing_and_is_told(bot, place, command):
    reply = await bot.handle(command, person(ANA, place.platform), place)
    assert not reply.ok
    assert "not mapped" in reply.text and "QOPT_WORKSPACE_MAP" in reply.text
    assert sent(bot) == []  # not one statement reached the warehouse


async def test_unmapped_chat_workspace_still_gets_help(bot):
    reply = await bot.handle("help", person(ANA), Asker("slack", OTHER_TEAM).dm())
    assert reply.ok and "top" in reply.text


async def test_top_each_lists_only_statements_of_the_mapped_workspace(bot, raw):
    reply = await bot.handle("top --each --limit 50", person(ANA), SLACK.dm())
    assert reply.ok, reply.text
    (table,) = [b for b in reply.blocks if b.type == "table"]
    ids = [row[0] for row in table.rows]
    assert len(ids) == 50
    marks = ",".join("?" for _ in ids)
    homes = raw.execute(
        f"SELECT DISTINCT workspace_id FROM query.history WHERE statement_id IN ({marks})", ids
    ).fetchall()
    assert homes == [(ANALYTICS,)]


async def test_top_recurring_queries_are_scoped(bot, raw):
    reply = await bot.handle("top --limit 20", person(ANA, "teams"), TEAMS.dm())
    assert reply.ok, reply.text
    (table,) = [b for b in reply.blocks if b.type == "table"]
    runs = sum(row[table.columns.index("runs")] for row in table.rows)
    engineering = raw.execute(
        "SELECT COUNT(*) FROM query.history WHERE workspace_id = ? AND start_time >= ? AND start_time < ?",
        [ENGINEERING, START, END],
    ).fetchone()[0]
    assert 0 < runs <= engineering
    assert all(w == [ENGINEERING] for w in workspaces_sent(bot))
    # Every owner shown is someone who ran statements in that workspace.
    people = {r[0] for r in raw.execute("SELECT DISTINCT executed_by FROM query.history WHERE workspace_id = ?",
                                        [ENGINEERING]).fetchall()}
    owners = [m for row in table.rows for m in re.findall(r"[\w.+-]+@[\w.-]+", str(row[table.columns.index("owner")]))]
    assert owners and all(o in people for o in owners)


async def test_asking_for_a_workspace_outside_the_map_is_refused(bot):
    for command in (f"cost --workspace {FINANCE}", f"top --workspace {FINANCE}"):
        reply = await bot.handle(command, person(ANA), SLACK.dm())
        assert not reply.ok and "can't see workspace" in reply.text and ANALYTICS in reply.text
    assert sent(bot) == []


async def test_asking_for_an_allowed_workspace_works(bot):
    reply = await bot.handle(f"cost --workspace {FINANCE} --by workspace", person(ANA), SLACK.channel(FINANCE_CHANNEL))
    assert reply.ok and set(by_workspace(reply)) == {FINANCE}


async def test_a_statement_of_another_workspace_is_not_found(bot, raw):
    (sid,) = raw.execute("SELECT statement_id FROM query.history WHERE workspace_id = ? "
                         "AND start_time >= ? ORDER BY statement_id LIMIT 1", [FINANCE, START]).fetchone()
    reply = await bot.handle(f"query {sid}", person(ANA), SLACK.dm())
    assert not reply.ok and "No statement" in reply.text
    admin = await bot.handle(f"query {sid}", person(ADMIN), SLACK.dm())
    assert admin.ok, admin.text
    assert sid in texts(admin)


async def test_warehouse_costs_cover_only_the_allowed_workspaces(bot, raw):
    """Billed and idle cost per warehouse (the `cost` overview's idle share, `cost --by user`'s idle row)."""
    from qopt import costs
    from qopt.workload import Window

    window = Window(START, END)
    use = await costs.warehouse_use(bot.services.warehouse, window, workspaces=[FINANCE])
    homes = dict(raw.execute("SELECT DISTINCT warehouse_id, workspace_id FROM compute.warehouses").fetchall())
    assert use and {homes[w] for w in use} == {FINANCE}
    every = await costs.warehouse_use(bot.services.warehouse, window)
    assert {homes[w] for w in every} == {ANALYTICS, ENGINEERING, FINANCE}
    for wid, u in use.items():
        assert u.billed == pytest.approx(every[wid].billed) and u.idle == pytest.approx(every[wid].idle)
    reply = await bot.handle("cost --by user", person(ANA), SLACK.channel(FINANCE_CHANNEL))
    (table,) = [b for b in reply.blocks if b.type == "table"]
    idle = next(row[1] for row in table.rows if row[0] == "(idle warehouse time)")
    assert idle == pytest.approx(sum(u.idle for u in use.values()), abs=1e-3)
    assert sum(row[1] for row in table.rows) == pytest.approx(billed(raw, [FINANCE])[FINANCE], abs=1e-2)
