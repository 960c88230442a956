"""A Teams channel gets its digest and alerts through the real Teams notifier (stored conversation reference,
Bot Framework connector faked on 127.0.0.1), once; a channel without a reference keeps its subscription."""

from __future__ import annotations

from datetime import date, datetime, timezone

from qopt.jobs import Jobs
from qopt.state.records import Records
from tests.teams.conftest import teams_factory  # noqa: F401 - fixture
from tests.teams.harness import bot_added, card_of, card_texts, message

CHANNEL = "19:general@thread.tacv2"
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)


async def test_digest_and_alert_reach_a_teams_channel_once(teams_factory, scenario_path):
    teams = await teams_factory(warehouse_path=scenario_path, now=NOW)
    await teams.post(bot_added(teams.service_url, CHANNEL))  # the install stores the conversation reference
    records = Records(teams.bot.services.state)
    await records.subscribe(platform="teams", channel_id=CHANNEL, team_id=None, frequency="daily", at_time="09:00",
                            weekday=0, timezone="Europe/Berlin", subscriber_id="29:1ada", subscriber_name="Ada")
    jobs = Jobs(teams.bot.services, {"teams": teams.endpoint.notifier})
    before = len(teams.connector.calls)
    assert (await jobs.send_digest("teams", CHANNEL, date(2026, 3, 10))).status == "sent"
    assert (await jobs.send_digest("teams", CHANNEL, date(2026, 3, 10))).status == "already_sent"
    [post] = teams.connector.calls[before:]
    texts = card_texts(card_of(post))
    assert post.conversation_id == CHANNEL and "$180" in " ".join(texts)
    rule = await records.add_rule(platform="teams", channel_id=CHANNEL, team_id=None, metric="failed_queries", op=">",
                                  threshold=2, scope_kind=None, scope_value=None, cooldown_seconds=3600,
                                  created_by="29:1ada", created_by_name="Ada")
    await teams.bot.services.state.fetch("UPDATE qopt_alert_rules SET created_at = 0 WHERE id = :id", {"id": rule.id})
    [fired] = await jobs.check_alerts()
    assert fired.status == "sent"
    card = card_of(teams.connector.calls[-1])
    assert "Snooze 24h" in str(card) and f"snooze {rule.id} 24h" in str(card)


async def test_a_teams_channel_without_a_reference_keeps_its_subscription(teams_factory, scenario_path):
    teams = await teams_factory(warehouse_path=scenario_path, now=NOW)
    await teams.post(message(teams.service_url, "help"))  # Ada's personal chat is known, the channel is not
    records = Records(teams.bot.services.state)
    await records.subscribe(platform="teams", channel_id="19:unknown@thread.tacv2", team_id=None, frequency="daily",
                            at_time="09:00", weekday=0, timezone="UTC", subscriber_id="a:1personal-ada",
                            subscriber_name="Ada")
    outcome = await Jobs(teams.bot.services, {"teams": teams.endpoint.notifier}).send_digest(
        "teams", "19:unknown@thread.tacv2", date(2026, 3, 10))
    assert outcome.status == "failed" and "install the app" in outcome.message
    kept = await records.subscription("teams", "19:unknown@thread.tacv2")
    assert kept is not None and kept.failures == 1
    report = teams.connector.calls[-1]  # the subscriber hears about it in the personal chat
    assert report.conversation_id == "a:1personal-ada" and "kept" in str(report.body)
