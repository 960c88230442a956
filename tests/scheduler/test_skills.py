"""The `digest` and `alert` chat commands through the real router: what they store, and the right form on bad input."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from qopt.bot.request import Identity, Place
from qopt.state.records import Records

CHANNEL = Place(platform="slack", team_id="T1", channel_id="C1", is_dm=False)
TEAMS = Place(platform="teams", team_id="tenant", channel_id="19:abc@thread.tacv2", is_dm=False)
SHELL = Place(platform="shell", channel_id="cli")
ANA = Identity(user_id="U1", name="Ana", email="ana@example.com")

@pytest.fixture
def store_factory(sqlite_store_factory):
    """Storage is not the subject here (tests/state and test_schedule run on both backends): SQLite only."""
    return sqlite_store_factory



@pytest.fixture
async def bot(make_bot, clock):
    clock.set(datetime(2026, 3, 10, 6, 0, tzinfo=timezone.utc))
    return await make_bot()


async def test_digest_on_stores_the_schedule_and_who_subscribed(bot):
    reply = await bot.handle("digest on daily at 9:00 tz Europe/Berlin", ANA, CHANNEL)
    assert reply.ok
    assert "daily at 09:00 Europe/Berlin" in reply.text and "Tue 2026-03-10 09:00 CET" in reply.text
    sub = await Records(bot.services.state).subscription("slack", "C1")
    assert (sub.frequency, sub.at_time, sub.timezone, sub.subscriber_id, sub.subscriber_name) == (
        "daily", "09:00", "Europe/Berlin", "U1", "Ana")
    weekly = await bot.handle("digest on weekly fri at 07:30", ANA, TEAMS)
    assert weekly.ok and "weekly on Fridays at 07:30 UTC" in weekly.text
    assert (await Records(bot.services.state).subscription("teams", TEAMS.channel_id)).weekday == 4
    status = await bot.handle("digest status", ANA, CHANNEL)
    assert "daily at 09:00 Europe/Berlin" in status.text and "Ana" in str(status.to_json())
    assert (await bot.handle("digest off", ANA, CHANNEL)).ok
    assert await Records(bot.services.state).subscription("slack", "C1") is None
    assert "no digest" in (await bot.handle("digest status", ANA, CHANNEL)).text


async def test_digest_defaults_to_nine_in_the_configured_zone(bot):
    reply = await bot.handle("digest on", ANA, CHANNEL)
    assert reply.ok and "daily at 09:00 UTC" in reply.text
    lower = await bot.handle("digest on at 18.30 tz america/new_york", ANA, CHANNEL)
    assert lower.ok and "daily at 18:30 America/New_York" in lower.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("digest on at 25:00", "is not a time"),
        ("digest on at 9", "is not a time"),
        ("digest on at", "is not a time"),
        ("digest on tz Mars/Olympus", "is not a time zone"),
        ("digest on tz", "is not a time zone"),
        ("digest on tz CET", "is not a time zone"),
        ("digest on hourly", "I don't understand"),
        ("digest sometimes", "is not a digest command"),
        ("digest off now", "takes no more words"),
    ],
)
async def test_digest_bad_input_shows_the_right_form(bot, text, expected):
    reply = await bot.handle(text, ANA, CHANNEL)
    assert not reply.ok and reply.error_id is None
    assert expected in reply.text and "digest on [daily|weekly]" in reply.text


async def test_digest_needs_a_channel_but_preview_works_anywhere(bot):
    refused = await bot.handle("digest on", ANA, SHELL)
    assert not refused.ok and "Slack or Teams channel" in refused.text
    preview = await bot.handle("digest preview", ANA, SHELL)
    assert preview.ok and preview.blocks[0].text.startswith("qopt daily cost digest — Mon 2026-03-09")
    assert "Preview: nothing was posted." in preview.blocks[-1].text


async def test_alert_add_list_remove(bot):
    added = await bot.handle("alert add query_duration > 30m --warehouse w1 --cooldown 6h", ANA, CHANNEL)
    assert added.ok and "Alert #1 added: query_duration > 30 min 0 s (warehouse w1)" in added.text
    rule = (await Records(bot.services.state).rules("slack", "C1"))[0]
    assert (rule.threshold, rule.cooldown_seconds, rule.created_by) == (1_800_000, 21_600, "U1")
    assert (await bot.handle("alert add daily_cost >= $1.5k", ANA, CHANNEL)).ok
    assert (await Records(bot.services.state).rule(2)).threshold == 1500
    listed = await bot.handle("alert list", ANA, CHANNEL)
    table = next(b for b in listed.to_json()["blocks"] if b["type"] == "table")
    assert [r[0] for r in table["rows"]] == [1, 2] and table["rows"][0][2] == "6h"
    assert "No alerts" in (await bot.handle("alert list", ANA, TEAMS)).text
    assert (await bot.handle("alert remove #1", ANA, CHANNEL)).ok
    by_name = await bot.handle('alert add idle_cost > 10 --warehouse "sales wh"', ANA, CHANNEL)
    assert by_name.ok and "(warehouse w1)" in by_name.text  # a warehouse given by name is stored by id
    assert [r.id for r in await Records(bot.services.state).rules()] == [2, 3]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alert add", "Metrics: daily_cost, spend_change"),
        ("alert add dailycost > 5", "Did you mean `daily_cost`?"),
        ("alert add daily_cost", "needs an operator and a value"),
        ("alert add daily_cost ~ 5", "Unknown operator"),
        ("alert add daily_cost > lots", "is not a valid value"),
        ("alert add daily_cost > -5", "is not a valid value"),
        ("alert add query_cost < 5", "takes >, >="),
        ("alert add query_duration > soon", "duration, e.g. 30m"),
        ("alert add failed_queries > 2.5", "is not a valid value"),
        ("alert add spend_change > 50% --user ana@example.com", "cannot be scoped by user"),
        ("alert add daily_cost > 5 --user a@b.c --warehouse w1", "at most one scope"),
        ("alert add daily_cost > 5 --cooldown often", "is not a duration"),
        ("alert add daily_cost > 5 --every 5", "has no option"),
        ("alert remove", "Usage: `alert remove ID`"),
        ("alert remove abc", "is not an alert ID"),
        ("alert remove 99", "no alert #99"),
        ("alert snooze 99 24h", "no alert #99"),
        ("alert frobnicate", "is not an alert command"),
    ],
)
async def test_alert_bad_input_shows_the_right_form(bot, text, expected):
    reply = await bot.handle(text, ANA, CHANNEL)
    assert not reply.ok and reply.error_id is None
    assert expected in reply.text


async def test_alert_snooze_durations(bot, clock):
    await bot.handle("alert add failed_queries > 10", ANA, CHANNEL)
    bad = await bot.handle("alert snooze 1 forever", ANA, CHANNEL)
    assert not bad.ok and "alert snooze 1 24h" in bad.text
    assert not (await bot.handle("alert snooze 1 365d", ANA, CHANNEL)).ok
    assert "2026-03-10 08:00 UTC" in (await bot.handle("alert snooze 1 2", ANA, CHANNEL)).text  # hours by default
    assert (await Records(bot.services.state).rule(1)).snoozed_until == clock().timestamp() + 7200
    assert "active again" in (await bot.handle("alert snooze 1 off", ANA, CHANNEL)).text
    assert (await Records(bot.services.state).rule(1)).snoozed_until is None


async def test_help_lists_digest_and_alert(bot):
    text = (await bot.handle("help", ANA, CHANNEL)).text
    assert "digest" in text and "alert" in text
    assert "alert add" in (await bot.handle("help alert", ANA, CHANNEL)).text
