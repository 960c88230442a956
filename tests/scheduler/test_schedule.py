"""When digests fire and who posts them: DST, once per day, several replicas, leader take-over, retries.

Time is the injected clock. The cron side is APScheduler's own CronTrigger (the one the scheduler registers),
walked fire time by fire time the way APScheduler walks it; each fire runs the scheduler's real job.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from qopt.jobs import Jobs, digest_trigger
from qopt.state.records import Records
from scheduler import Scheduler

BERLIN = ZoneInfo("Europe/Berlin")
SUB = dict(platform="slack", channel_id="C1", team_id="T1", frequency="daily", weekday=0, timezone="Europe/Berlin",
           subscriber_id="U1", subscriber_name="Ana")


async def subscribe(bot, **overrides):
    return await Records(bot.services.state).subscribe(**{**SUB, "at_time": "09:00", **overrides})


async def walk(scheduler: Scheduler, sub, clock, start: datetime, end: datetime) -> list[datetime]:
    """Fire the subscription's cron trigger from `start` to `end`, running the digest job at each fire time."""
    trigger = digest_trigger(sub)
    fired, previous, now = [], None, start
    while True:
        next_fire = trigger.get_next_fire_time(previous, now)
        if next_fire is None or next_fire > end:
            return fired
        clock.set(next_fire)
        await scheduler.run_digest(sub.id)
        fired.append(next_fire)
        previous = now = next_fire


@pytest.mark.parametrize(
    ("at_time", "start", "end", "change"),
    [
        ("09:00", datetime(2026, 3, 27, 12, tzinfo=BERLIN), datetime(2026, 4, 1, 12, tzinfo=BERLIN), date(2026, 3, 29)),
        ("09:00", datetime(2026, 10, 23, 12, tzinfo=BERLIN), datetime(2026, 10, 28, 12, tzinfo=BERLIN), date(2026, 10, 25)),
        ("02:30", datetime(2026, 3, 27, 12, tzinfo=BERLIN), datetime(2026, 4, 1, 12, tzinfo=BERLIN), date(2026, 3, 29)),
        ("02:30", datetime(2026, 10, 23, 12, tzinfo=BERLIN), datetime(2026, 10, 28, 12, tzinfo=BERLIN), date(2026, 10, 25)),
    ],
    ids=["spring-09:00", "autumn-09:00", "spring-02:30-gap", "autumn-02:30-overlap"],
)
async def test_digest_fires_once_a_day_at_local_time_across_dst(make_bot, clock, notifier, at_time, start, end, change):
    bot = await make_bot()
    sub = await subscribe(bot, at_time=at_time)
    scheduler = Scheduler(bot.services, {"slack": notifier}, instance_id="a")
    fired = await walk(scheduler, sub, clock, start, end)
    local_days = [t.astimezone(timezone.utc).astimezone(BERLIN).date() for t in notifier.times]
    assert local_days == [start.date() + timedelta(days=i) for i in range(1, 6)]  # one a day, no gaps
    assert len(notifier.to("C1")) == 5
    for moment, day in zip(notifier.times, local_days):
        local = moment.astimezone(timezone.utc).astimezone(BERLIN)  # via UTC: a wall time in the gap is normalised
        if at_time == "09:00":
            assert (local.hour, local.minute) == (9, 0)
        elif day == change and change.month == 3:
            assert (local.hour, local.minute) == (3, 30)  # 02:30 does not exist that night: an hour later
        else:
            assert (local.hour, local.minute) == (2, 30)
    if at_time == "02:30" and change.month == 10:
        assert len(fired) == 6  # the cron fired twice in the doubled hour ...
    assert len(set(local_days)) == len(local_days)  # ... and the delivery record made that one post


async def test_the_registered_job_uses_the_subscription_zone_and_a_grace_of_minutes(make_bot, notifier):
    bot = await make_bot()
    sub = await subscribe(bot, frequency="weekly", weekday=2, at_time="07:45", timezone="America/New_York")
    scheduler = Scheduler(bot.services, {"slack": notifier}, instance_id="a", digest_grace_minutes=20)
    await scheduler.start()
    try:
        await scheduler.sync_subscriptions()
        job = scheduler.aps.get_job(f"digest:{sub.id}")
        assert str(job.trigger.timezone) == "America/New_York"
        assert job.misfire_grace_time == 20 * 60 and job.coalesce
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["hour"], fields["minute"], fields["day_of_week"]) == ("7", "45", "wed")
        assert scheduler.aps.get_job("alerts").trigger.interval.total_seconds() == 15 * 60
        await Records(bot.services.state).unsubscribe("slack", "C1")
        await scheduler.sync_subscriptions()
        assert scheduler.aps.get_job(f"digest:{sub.id}") is None
    finally:
        await scheduler.stop()


async def test_two_runs_for_the_same_day_post_once(make_bot, clock, notifier):
    bot = await make_bot()
    await subscribe(bot)
    jobs = Jobs(bot.services, {"slack": notifier})
    first = await jobs.send_digest("slack", "C1", date(2026, 3, 10))
    second = await jobs.send_digest("slack", "C1", date(2026, 3, 10))
    assert (first.status, second.status) == ("sent", "already_sent")
    assert "already" in second.message
    assert len(notifier.to("C1")) == 1
    assert (await jobs.send_digest("slack", "C1", date(2026, 3, 11))).status == "sent"
    assert len(notifier.to("C1")) == 2


async def test_two_scheduler_instances_on_one_database_post_once(make_bot, clock, notifier):
    bot_a, bot_b = await make_bot(), await make_bot()
    sub = await subscribe(bot_a)
    a = Scheduler(bot_a.services, {"slack": notifier}, instance_id="a")
    b = Scheduler(bot_b.services, {"slack": notifier}, instance_id="b")
    leaders = await asyncio.gather(a.heartbeat(), b.heartbeat())
    assert sorted(leaders) == [False, True]
    clock.set(datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc))  # 09:00 in Berlin
    await asyncio.gather(a.run_digest(sub.id), b.run_digest(sub.id))
    assert len(notifier.to("C1")) == 1
    # Even without the lease (both jobs run at once), the delivery record lets one post through.
    jobs_a, jobs_b = Jobs(bot_a.services, {"slack": notifier}), Jobs(bot_b.services, {"slack": notifier})
    outcomes = await asyncio.gather(jobs_a.send_digest("slack", "C1", date(2026, 3, 11)),
                                    jobs_b.send_digest("slack", "C1", date(2026, 3, 11)))
    assert sorted(o.status for o in outcomes)[0] in ("already_sent", "in_progress")
    assert len(notifier.to("C1")) == 2


async def test_a_leader_that_stops_is_replaced(make_bot, clock, notifier):
    bot_a, bot_b = await make_bot(), await make_bot()
    sub = await subscribe(bot_a)
    a = Scheduler(bot_a.services, {"slack": notifier}, instance_id="a", lease_seconds=60)
    b = Scheduler(bot_b.services, {"slack": notifier}, instance_id="b", lease_seconds=60)
    clock.set(datetime(2026, 3, 10, 7, 59, tzinfo=timezone.utc))
    assert await a.heartbeat() and not await b.heartbeat()
    # a dies without a word: b takes over once a's lease has expired.
    clock.advance(seconds=59)
    assert not await b.heartbeat()
    clock.advance(seconds=2)
    assert await b.heartbeat()
    assert await a.run_digest(sub.id) is None  # a comes back: it renews first, finds b leading, stays quiet
    assert (await b.run_digest(sub.id)).status == "sent"
    assert len(notifier.to("C1")) == 1
    # A graceful stop hands the lease over at once.
    b.is_leader = True
    await b.stop()
    assert await a.heartbeat()


async def test_a_failed_post_is_kept_reported_and_retried(make_bot, clock, notifier):
    bot = await make_bot()
    sub = await subscribe(bot)
    scheduler = Scheduler(bot.services, {"slack": notifier}, instance_id="a")
    notifier.refuse("not_in_channel: invite the app to the channel (/invite @qopt)", "C1", retryable=False)
    clock.set(datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc))
    outcome = await scheduler.run_digest(sub.id)
    assert outcome.status == "failed" and "retry" in outcome.message
    records = Records(bot.services.state)
    kept = await records.subscription("slack", "C1")
    assert kept is not None and kept.failures == 1 and kept.last_error.startswith("not_in_channel")
    [report] = notifier.to("U1")  # the subscriber hears about it, in a DM
    assert "not_in_channel" in report.text and "kept" in report.text
    assert await scheduler.retry_failed() == []  # not due yet
    await scheduler.run_digest(sub.id)  # the cron firing again the same day does not double anything
    notifier.accept()
    clock.advance(hours=3)
    [retried] = await scheduler.retry_failed()
    assert retried.status == "sent" and len(notifier.to("C1")) == 1
    assert (await records.subscription("slack", "C1")).failures == 0
    assert await scheduler.retry_failed() == []
    assert (await scheduler.jobs.send_digest("slack", "C1", date(2026, 3, 10))).status == "already_sent"
    assert len(notifier.to("U1")) == 1  # reported once


async def test_a_transient_failure_backs_off_then_succeeds(make_bot, clock, notifier):
    bot = await make_bot()
    await subscribe(bot)
    jobs = Jobs(bot.services, {"slack": notifier}, retry_base_seconds=60)
    notifier.refuse("Slack could not be reached (ClientConnectorError)")
    first = await jobs.send_digest("slack", "C1", date(2026, 3, 10))
    assert first.status == "failed"
    clock.advance(seconds=61)
    second = await jobs.retry_failed()
    assert [o.status for o in second] == ["failed"]  # still down: the next wait doubles
    clock.advance(seconds=61)
    assert await jobs.retry_failed() == []
    notifier.accept()
    clock.advance(seconds=60)
    assert [o.status for o in await jobs.retry_failed()] == ["sent"]
    assert len(notifier.to("C1")) == 1


async def test_a_restart_within_the_grace_time_still_posts_todays_digest(make_bot, clock, notifier):
    bot = await make_bot()
    await subscribe(bot)  # 09:00 Berlin = 08:00 UTC
    clock.set(datetime(2026, 3, 10, 8, 20, tzinfo=timezone.utc))  # the process was down at 09:00, back at 09:20
    scheduler = Scheduler(bot.services, {"slack": notifier}, instance_id="a", digest_grace_minutes=30)
    [outcome] = await scheduler.sync_subscriptions()
    assert outcome.status == "sent" and outcome.period == "2026-03-10"
    assert await scheduler.sync_subscriptions() == []  # delivered: nothing more to catch up
    clock.set(datetime(2026, 3, 11, 8, 31, tzinfo=timezone.utc))  # 31 minutes late: past the grace, skipped
    assert await scheduler.sync_subscriptions() == []
    assert len(notifier.to("C1")) == 1


async def test_a_new_leader_posts_the_digest_its_dead_predecessor_missed(make_bot, clock, notifier):
    bot_a, bot_b = await make_bot(), await make_bot()
    sub = await subscribe(bot_a)
    a = Scheduler(bot_a.services, {"slack": notifier}, instance_id="a", lease_seconds=60)
    b = Scheduler(bot_b.services, {"slack": notifier}, instance_id="b", lease_seconds=60)
    clock.set(datetime(2026, 3, 10, 7, 59, 30, tzinfo=timezone.utc))
    assert await a.heartbeat()  # a leads, then dies at 08:59:40 Berlin
    clock.set(datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc))
    assert await b.run_digest(sub.id) is None  # b's cron fires at 09:00 but a's lease still holds
    clock.set(datetime(2026, 3, 10, 8, 0, 40, tzinfo=timezone.utc))
    [outcome] = await b.sync_subscriptions()  # a's lease expired: b leads and catches up
    assert outcome.status == "sent" and outcome.period == "2026-03-10"
    assert len(notifier.to("C1")) == 1


async def test_housekeeping_forgets_expired_and_settled_records(make_bot, clock, notifier):
    bot = await make_bot()
    await subscribe(bot)
    scheduler = Scheduler(bot.services, {"slack": notifier}, instance_id="a")
    state = bot.services.state
    await state.kv_put("slack.events", "Ev1", {}, ttl_seconds=60)
    await state.kv_put("slack.installations", "T1", {"kept": True})
    assert (await scheduler.jobs.send_digest("slack", "C1", date(2026, 3, 10))).status == "sent"
    clock.advance(days=91)
    assert await scheduler.housekeeping() == 2  # the event id and the delivery record
    assert await state.kv_get("slack.installations", "T1") == {"kept": True}
    assert await Records(state).subscription("slack", "C1") is not None
