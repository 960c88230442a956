"""`optimize`, `recommend`, digests and offline `ask` under the policy, through the router on Slack and Teams."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from qopt.bot import format as fmt
from qopt.jobs import Jobs
from tests.policy.conftest import (
    ADMIN, ANALYTICS, ENGINEERING, FINANCE, FINANCE_CHANNEL, OTHER_TEAM, SLACK, TEAMS, TEAMS_CHANNEL, WORKSPACE_MAP,
    Asker, person, sent, texts,
)

ANA, BO = "ana.silva@example.com", "bo@example.com"
LITERAL = re.compile(r"'[^']*[0-9@][^']*'")
TEAMS_ANALYTICS = Asker("teams", "tenant-analytics")


def need(bot, command: str) -> None:
    if command not in bot.router.skills:
        pytest.skip(f"the `{command}` skill does not exist yet")


def workspaces_sent(bot) -> list:
    return [p.get("workspaces") for sql, p in sent(bot) if ":workspaces" in sql]


@pytest.fixture
def bot(make_bot):
    return make_bot(workspace_map=WORKSPACE_MAP + ";teams:tenant-analytics=" + ANALYTICS)


@pytest.fixture
def statement(raw):
    """A finished statement of ana's in analytics with a data literal and a finding (`SELECT *` or a filter)."""
    sid, owner, text = raw.execute(
        "SELECT statement_id, executed_by, statement_text FROM query.history WHERE executed_by = ? "
        "AND workspace_id = ? AND execution_status = 'FINISHED' AND regexp_matches(statement_text, '''[^'']*[0-9]') "
        "AND start_time >= TIMESTAMP '2026-11-10' ORDER BY statement_id LIMIT 1",
        [ANA, ANALYTICS],
    ).fetchone()
    return sid, owner, LITERAL.search(text).group(0)



OPTIMIZE_CASES = [
    (SLACK, "owner", "dm", False, True), (SLACK, "other", "dm", False, False), (SLACK, "owner", "channel", False, False),
    (SLACK, "admin", "dm", False, True), (SLACK, "admin", "channel", False, False), (SLACK, "admin", "channel", True, True),
    (TEAMS_ANALYTICS, "owner", "dm", False, True), (TEAMS_ANALYTICS, "admin", "channel", False, False),
]


@pytest.mark.parametrize(("asker", "who", "where", "share", "full"), OPTIMIZE_CASES,
                         ids=[f"{c[0].platform}-{c[1]}-{c[2]}{'-share' if c[3] else ''}" for c in OPTIMIZE_CASES])
async def test_optimize_a_statement_from_history(bot, statement, asker, who, where, share, full):
    need(bot, "optimize")
    sid, owner, literal = statement
    email = {"owner": owner, "other": BO, "admin": ADMIN}[who]
    place = asker.dm() if where == "dm" else asker.channel()
    place = place.model_copy(update={"shared": share})
    reply = await bot.handle(f"optimize {sid}", person(email, asker.platform), place)
    assert reply.ok, reply.text
    shown = texts(reply)
    hidden_note = "shown only in a DM to the statement's author" in shown
    assert hidden_note is not full
    if not full:
        assert literal not in shown
    expected = None if who == "admin" else [ANALYTICS]
    assert workspaces_sent(bot) and all(w == expected for w in workspaces_sent(bot))


async def test_optimize_cannot_reach_a_statement_of_another_workspace(bot, raw):
    need(bot, "optimize")
    (sid,) = raw.execute("SELECT statement_id FROM query.history WHERE workspace_id = ? AND start_time >= "
                         "TIMESTAMP '2026-11-10' ORDER BY statement_id LIMIT 1", [FINANCE]).fetchone()
    reply = await bot.handle(f"optimize {sid}", person(ANA), SLACK.dm())
    assert not reply.ok and "No statement" in reply.text


async def test_optimize_pasted_sql_prices_savings_from_the_askers_workspaces(bot):
    need(bot, "optimize")
    reply = await bot.handle("optimize SELECT * FROM main.sales.orders WHERE customer_id = 42", person(BO, "teams"),
                             TEAMS.channel())
    assert reply.ok, reply.text
    assert workspaces_sent(bot) and all(w == [ENGINEERING] for w in workspaces_sent(bot))


@pytest.mark.parametrize(("asker", "place", "expected"), [
    (SLACK, SLACK.dm(), [ANALYTICS]), (SLACK, SLACK.channel(FINANCE_CHANNEL), [FINANCE]),
    (TEAMS, TEAMS.channel(TEAMS_CHANNEL), [ENGINEERING, FINANCE]),
], ids=["slack-dm", "slack-finance-channel", "teams-channel"])
async def test_recommend_is_scoped_and_masked(bot, raw, asker, place, expected):
    need(bot, "recommend")
    reply = await bot.handle("recommend --limit 10", person(BO, asker.platform), place)
    assert reply.ok, reply.text
    assert workspaces_sent(bot) and all(w == expected for w in workspaces_sent(bot))
    assert not LITERAL.search(texts(reply))
    marks = ",".join("?" for _ in expected)
    people = {r[0] for r in raw.execute(
        f"SELECT DISTINCT executed_by FROM query.history WHERE workspace_id IN ({marks})", expected).fetchall()}
    tables = [b for b in reply.blocks if b.type == "table"]
    if tables:
        owners = {o for row in tables[0].rows for o in re.findall(r"[\w.+-]+@[\w.-]+", str(row[-1]))}
        assert owners <= people


async def test_recommend_for_an_admin_covers_everything(bot):
    need(bot, "recommend")
    reply = await bot.handle("recommend", person(ADMIN), Asker("slack", OTHER_TEAM).dm())
    assert reply.ok and all(w is None for w in workspaces_sent(bot))


def spend_on(raw, day: date, workspaces: list[str]) -> float:
    marks = ",".join("?" for _ in workspaces)
    (value,) = raw.execute(
        f"""SELECT SUM(u.usage_quantity * CAST(p.pricing."default" AS DOUBLE))
            FROM billing.usage u JOIN billing.list_prices p
              ON u.cloud = p.cloud AND u.sku_name = p.sku_name AND u.usage_start_time >= p.price_start_time
             AND (u.usage_end_time <= p.price_end_time OR p.price_end_time IS NULL)
            WHERE u.usage_date = ? AND u.workspace_id IN ({marks})""", [day, *workspaces]).fetchone()
    return float(value or 0)


@pytest.mark.parametrize(("asker", "place", "expected"), [
    (SLACK, SLACK.channel(FINANCE_CHANNEL), [FINANCE]),
    (SLACK, SLACK.channel(), [ANALYTICS]),
    (TEAMS, TEAMS.channel(TEAMS_CHANNEL), [ENGINEERING, FINANCE]),
    (TEAMS, TEAMS.channel(), [ENGINEERING]),
], ids=["slack-finance-channel", "slack-channel", "teams-mapped-channel", "teams-channel"])
async def test_digest_preview_shows_the_channels_workspaces(bot, raw, asker, place, expected):
    reply = await bot.handle("digest preview", person(ANA, asker.platform), place)
    assert reply.ok, reply.text
    assert workspaces_sent(bot) and all(w == expected for w in workspaces_sent(bot))
    yesterday = spend_on(raw, date(2026, 11, 20), expected)
    assert f"Yesterday: {fmt.money(yesterday)}" in reply.text
    assert not LITERAL.search(texts(reply))


async def test_digest_for_an_admin_still_shows_only_the_channels_workspaces(bot, raw):
    """A digest is for the whole channel: who previews it does not widen it."""
    reply = await bot.handle("digest preview", person(ADMIN), SLACK.channel(FINANCE_CHANNEL))
    assert all(w == [FINANCE] for w in workspaces_sent(bot))
    assert f"Yesterday: {fmt.money(spend_on(raw, date(2026, 11, 20), [FINANCE]))}" in reply.text


async def test_scheduled_digest_into_an_unmapped_channel_says_so(bot):
    jobs = Jobs(bot.services, {})
    reply = await jobs.digest_reply("slack", "C0ELSEWHERE", date(2026, 11, 21), "daily", team_id=OTHER_TEAM)
    assert not reply.ok and "not mapped" in reply.text and "QOPT_WORKSPACE_MAP" in reply.text
    assert sent(bot) == []
    mapped = await jobs.digest_reply("slack", FINANCE_CHANNEL, date(2026, 11, 21), "daily")
    assert mapped.ok and all(w == [FINANCE] for w in workspaces_sent(bot))


async def test_offline_ask_runs_the_command_inside_the_askers_workspaces(bot):
    assert bot.services.genie is None  # no Genie space: offline answers
    reply = await bot.handle("ask which users spent the most this week?", person(BO, "teams"), TEAMS.dm())
    assert reply.ok, reply.text
    assert "Offline answer" in reply.text
    assert workspaces_sent(bot) and all(w == [ENGINEERING] for w in workspaces_sent(bot))


def test_demo_window_is_what_the_digest_covers():
    """The digest previewed at the demo's 'now' covers the last complete day of data."""
    from tests.conftest import DEMO_END, DEMO_NOW

    assert DEMO_NOW == datetime(2026, 11, 21, tzinfo=timezone.utc) and DEMO_END == date(2026, 11, 20)
