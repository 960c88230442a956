"""Each alert metric fires on the scenario warehouse with the hand-computed value, once per (rule, subject,
period), and respects cooldown and snooze. Messages: golden Reply JSON, Block Kit and Adaptive Card."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from qopt.alerting import METRICS, parse_rule
from qopt.bot.request import Identity, Place
from qopt.jobs import Jobs
from qopt.state.records import Records
from tests.scheduler import scenario
from tests.scheduler.test_digest_content import check_golden

CHANNEL = Place(platform="slack", team_id="T1", channel_id="C1", is_dm=False)
ANA = Identity(user_id="U1", name="Ana", email=scenario.ANA)
CREATED = datetime(2026, 3, 10, 0, 30, tzinfo=timezone.utc)
CHECKED = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)

@pytest.fixture
def store_factory(sqlite_store_factory):
    """Storage is not the subject here (tests/state and test_schedule run on both backends): SQLite only."""
    return sqlite_store_factory



async def add(bot, text: str):
    reply = await bot.handle(f"alert add {text}", ANA, CHANNEL)
    assert reply.ok, reply.text
    return (await Records(bot.services.state).rules("slack", "C1"))[-1]


def fields_of(reply) -> dict:
    return {f["label"]: f["value"] for b in reply.to_json()["blocks"] if b["type"] == "fields" for f in b["fields"]}


@pytest.mark.parametrize(
    ("rule", "subject", "period", "observed", "shown"),
    [
        ("daily_cost > 100", "all", "2026-03-10", 120.0, "$120"),
        ("daily_cost > 100 --warehouse w1", "warehouse:w1", "2026-03-10", 120.0, "$120"),
        ("daily_cost > 50 --user ana@example.com", "user:ana@example.com", "2026-03-10", 60.0, "$60.00"),
        ("spend_change > 50%", "all", "2026-03-09", 80.0, "+80.0%"),
        ("query_cost > 50", "big", "2026-03-10", 60.0, "$60.00"),
        ("query_duration > 20m", "big", "2026-03-10", 30 * 60_000.0, "30 min 0 s"),
        ("failed_queries > 2", "all", "2026-03-10", 3.0, "3"),
        ("idle_cost > 40", "warehouse:w1", "2026-03-10", 50.0, "$50.00"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
async def test_each_metric_fires_once_with_the_computed_value(make_bot, clock, notifier, rule, subject, period, observed, shown):
    bot = await make_bot()
    clock.set(CREATED)
    added = await add(bot, rule)
    clock.set(CHECKED)
    jobs = Jobs(bot.services, {"slack": notifier})
    [outcome] = await jobs.check_alerts()
    assert outcome.status == "sent" and outcome.period == f"{added.id}:{subject}:{period}"
    firing = await Records(bot.services.state).last_firing(added.id, subject)
    assert firing.period == period and firing.observed == pytest.approx(observed)
    [message] = notifier.to("C1")
    assert fields_of(message)["Observed"] == shown
    buttons = [b for block in message.to_json()["blocks"] if block["type"] == "actions" for b in block["buttons"]]
    assert [b["label"] for b in buttons] == ["Details", "Snooze 24h"]
    assert buttons[1]["action"] == "alert" and buttons[1]["value"] == f"snooze {added.id} 24h"
    # Checked again: nothing new (once per rule, subject and period).
    clock.advance(hours=2)
    assert await jobs.check_alerts() == []
    assert len(notifier.to("C1")) == 1


async def test_values_below_the_threshold_do_not_fire(make_bot, clock, notifier):
    bot = await make_bot()
    clock.set(CREATED)
    for rule in ("daily_cost > 121", "daily_cost > 0 --workspace ws2", "daily_cost > 11 --user bob@example.com",
                 "spend_change > 80.5%", "query_cost > 60.5", "query_duration > 31m", "failed_queries > 3",
                 "idle_cost > 50.5", "daily_cost > 100 --warehouse w2"):
        await add(bot, rule)
    clock.set(CHECKED)
    assert await Jobs(bot.services, {"slack": notifier}).check_alerts() == []
    assert notifier.posts == []


async def test_several_spend_change_thresholds_coexist(make_bot, clock, notifier):
    bot = await make_bot()
    clock.set(CREATED)
    for threshold in ("20%", "50%", "100%"):
        await add(bot, f"spend_change > {threshold}")
    clock.set(CHECKED)
    outcomes = await Jobs(bot.services, {"slack": notifier}).check_alerts()
    assert [o.status for o in outcomes] == ["sent", "sent"]  # +80% crosses 20% and 50%, not 100%
    assert [fields_of(r)["Threshold"] for r in notifier.to("C1")] == ["> 20%", "> 50%"]


async def test_cooldown_holds_back_the_next_period(make_bot, clock, notifier):
    bot = await make_bot()
    clock.set(datetime(2026, 3, 8, 12, tzinfo=timezone.utc))
    rule = await add(bot, "daily_cost > 100 --cooldown 1h")
    jobs = Jobs(bot.services, {"slack": notifier})
    clock.set(datetime(2026, 3, 9, 23, 50, tzinfo=timezone.utc))
    assert [o.period for o in await jobs.check_alerts()] == [f"{rule.id}:all:2026-03-09"]  # 180 on 03-09
    clock.set(datetime(2026, 3, 10, 0, 10, tzinfo=timezone.utc))
    assert await jobs.check_alerts() == []  # 03-10 crosses too (120), but 20 minutes after the last one
    clock.set(datetime(2026, 3, 10, 0, 51, tzinfo=timezone.utc))
    assert [o.period for o in await jobs.check_alerts()] == [f"{rule.id}:all:2026-03-10"]
    clock.set(CHECKED)
    assert await jobs.check_alerts() == []
    assert len(notifier.to("C1")) == 2


async def test_snooze_from_the_button_silences_a_rule_until_it_ends(make_bot, clock, notifier):
    bot = await make_bot()
    clock.set(CREATED)
    rule = await add(bot, "daily_cost > 100")
    reply = await bot.handle(f"alert snooze {rule.id} 24h", ANA, CHANNEL)  # what the Snooze button runs
    assert reply.ok and "snoozed until 2026-03-11 00:30 UTC" in reply.text
    jobs = Jobs(bot.services, {"slack": notifier})
    clock.set(CHECKED)
    assert await jobs.check_alerts() == []
    clock.set(datetime(2026, 3, 11, 0, 31, tzinfo=timezone.utc))
    assert [o.period for o in await jobs.check_alerts()] == [f"{rule.id}:all:2026-03-10"]  # yesterday, still unheard
    other = await bot.handle(f"alert snooze {rule.id} 24h", ANA, CHANNEL.model_copy(update={"channel_id": "C2"}))
    assert not other.ok and "no alert" in other.text  # another channel cannot snooze it


async def test_a_failed_alert_post_is_retried_not_fired_again(make_bot, clock, notifier):
    bot = await make_bot()
    clock.set(CREATED)
    await add(bot, "failed_queries > 2")
    notifier.refuse("channel_not_found", "C1", retryable=False)
    jobs = Jobs(bot.services, {"slack": notifier})
    clock.set(CHECKED)
    [failed] = await jobs.check_alerts()
    assert failed.status == "failed"
    assert "channel_not_found" in notifier.to("U1")[0].text  # the rule's author is told
    notifier.accept()
    assert await jobs.check_alerts() == []  # fired already: not evaluated into a second post
    clock.advance(hours=3)
    assert [o.status for o in await jobs.retry_failed()] == ["sent"]
    assert len(notifier.to("C1")) == 1


async def test_alert_message_golden(make_bot, clock, notifier):
    bot = await make_bot()
    clock.set(CREATED)
    await add(bot, "query_cost > 50 --warehouse w1")
    clock.set(CHECKED)
    await Jobs(bot.services, {"slack": notifier}).check_alerts()
    [reply] = notifier.to("C1")
    document = reply.to_json()
    check_golden("alert_query_cost.json", document)
    text = str(document)
    assert "gold" not in text  # the literal of the statement is masked
    assert fields_of(reply)["Threshold"] == "> $50.00"
    slack = pytest.importorskip("adapters.slack.blocks")
    check_golden("alert_query_cost.slack.json", slack.render_message(reply))
    teams = pytest.importorskip("adapters.teams.cards")
    check_golden("alert_query_cost.teams.json", teams.render_activity(reply))


def test_every_metric_has_an_example_that_parses():
    from qopt.bot.parser import parse_options, tokenize
    from skills.alert import AlertSkill

    for metric in METRICS.values():
        args, positionals, _ = parse_options("alert", tokenize(metric.example.removeprefix("alert add ")), AlertSkill.options)
        assert parse_rule(positionals, args).metric == metric.name


@pytest.mark.parametrize(("mapped_to", "fires"), [("ws1", True), ("ws2", False)])
async def test_alerts_see_only_the_workspaces_of_their_channel(make_bot, clock, notifier, mapped_to, fires):
    bot = await make_bot(workspace_map=f"slack:T1={mapped_to}")
    clock.set(CREATED)
    await add(bot, "daily_cost > 100")  # today: 120 in ws1, nothing in ws2
    refused = await bot.handle("alert add daily_cost > 1 --workspace ws9", ANA, CHANNEL)
    assert not refused.ok and "ws9" in refused.text
    clock.set(CHECKED)
    outcomes = await Jobs(bot.services, {"slack": notifier}).check_alerts()
    assert [o.status for o in outcomes] == (["sent"] if fires else [])
