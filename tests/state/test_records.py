"""The scheduler's typed tables, the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from qopt.state.records import Records

SUB = dict(platform="slack", channel_id="C1", team_id="T1", frequency="daily", at_time="09:00", weekday=0,
           timezone="Europe/Berlin", subscriber_id="U1", subscriber_name="Ana")


async def test_subscription_is_one_per_channel_and_keeps_its_subscriber(store):
    records = Records(store)
    first = await records.subscribe(**SUB)
    again = await records.subscribe(**{**SUB, "at_time": "07:30", "subscriber_id": "U2", "subscriber_name": "Bob"})
    assert again.id == first.id and again.at_time == "07:30" and again.subscriber_id == "U2"
    await records.subscribe(**{**SUB, "channel_id": "C2"})
    await records.subscribe(**{**SUB, "platform": "teams"})
    assert [(s.platform, s.channel_id) for s in await records.subscriptions()] == [("slack", "C1"), ("slack", "C2"), ("teams", "C1")]
    assert (await records.subscription("slack", "C1")).hour == 7
    assert await records.unsubscribe("slack", "C1") is True
    assert await records.unsubscribe("slack", "C1") is False
    assert await records.subscription("slack", "C1") is None


async def test_subscription_failures_are_counted_and_cleared(store):
    records = Records(store)
    sub = await records.subscribe(**SUB)
    await records.subscription_failed(sub.id, "not_in_channel")
    failed = await records.subscription_failed(sub.id, "not_in_channel")
    assert failed.failures == 2 and failed.last_error == "not_in_channel"
    await records.subscription_ok(sub.id)
    assert (await records.subscription_by_id(sub.id)).failures == 0


async def test_rules_belong_to_their_channel(store, clock):
    records = Records(store)
    rule = await records.add_rule(platform="slack", channel_id="C1", team_id=None, metric="daily_cost", op=">",
                                  threshold=500, scope_kind="warehouse", scope_value="w1", cooldown_seconds=3600,
                                  created_by="U1", created_by_name="Ana")
    assert (await records.rule(rule.id)).scope_value == "w1"
    assert await records.rules("slack", "C2") == []
    assert await records.remove_rule(rule.id, "slack", "C2") is False  # another channel cannot remove it
    until = clock().timestamp() + 3600
    assert (await records.snooze_rule(rule.id, "slack", "C1", until)).snoozed_until == until
    assert await records.snooze_rule(rule.id, "teams", "C1", until) is None
    assert await records.remove_rule(rule.id, "slack", "C1") is True
    assert await records.rules() == []


async def test_a_firing_is_recorded_once(store_factory):
    replicas = [Records(await store_factory()) for _ in range(3)]
    results = await asyncio.gather(*(r.record_firing(7, "all", "2026-03-10", 612.5) for r in replicas))
    assert sum(r is not None for r in results) == 1
    assert await replicas[0].has_fired(7, "all", "2026-03-10")
    assert not await replicas[0].has_fired(7, "all", "2026-03-11")
    assert (await replicas[1].last_firing(7, "all")).observed == 612.5


async def test_delivery_claim_sent_failed_and_retry(store, clock):
    records = Records(store)
    claimed = await records.claim_delivery("slack", "C1", "digest", "2026-03-10", payload={"text": "hi"}, notify_user="U1")
    assert claimed is not None and claimed.status == "pending" and claimed.attempts == 1
    assert await records.claim_delivery("slack", "C1", "digest", "2026-03-10") is None  # pending: not twice
    retry_at = clock().timestamp() + 300
    await records.delivery_failed(claimed.id, "not_in_channel", retry_at)
    assert await records.claim_delivery("slack", "C1", "digest", "2026-03-10") is None  # not yet due
    assert await records.due_retries() == []
    clock.advance(seconds=301)
    [due] = await records.due_retries()
    assert due.error == "not_in_channel"
    again = await records.claim_delivery("slack", "C1", "digest", "2026-03-10")
    assert again.attempts == 2 and again.reply_json() == {"text": "hi"} and again.notify_user == "U1"
    await records.delivery_sent(again.id, "ts1")
    assert await records.claim_delivery("slack", "C1", "digest", "2026-03-10") is None
    assert (await records.delivery("slack", "C1", "digest", "2026-03-10")).status == "sent"
    # Another period or channel is a delivery of its own.
    assert await records.claim_delivery("slack", "C1", "digest", "2026-03-11") is not None
    assert await records.claim_delivery("teams", "C1", "digest", "2026-03-10") is not None


async def test_concurrent_claims_have_one_winner(store_factory):
    replicas = [Records(await store_factory()) for _ in range(4)]
    results = await asyncio.gather(*(r.claim_delivery("slack", "C9", "digest", "2026-03-10") for r in replicas))
    assert sum(r is not None for r in results) == 1


async def test_abandoned_delivery_is_not_claimed_again(store, clock):
    records = Records(store)
    claimed = await records.claim_delivery("slack", "C1", "alert", "1:all:2026-03-10")
    await records.delivery_failed(claimed.id, "channel_not_found", None)
    clock.advance(days=2)
    assert await records.claim_delivery("slack", "C1", "alert", "1:all:2026-03-10") is None
    assert (await records.delivery("slack", "C1", "alert", "1:all:2026-03-10")).status == "abandoned"


async def test_firings_for_channel_join_their_rule(store, clock):
    records = Records(store)
    rule = await records.add_rule(platform="teams", channel_id="19:abc", team_id=None, metric="failed_queries",
                                  op=">", threshold=2, scope_kind=None, scope_value=None, cooldown_seconds=60,
                                  created_by="U1", created_by_name=None)
    await records.record_firing(rule.id, "all", "2026-03-10", 3)
    now = clock().timestamp()
    [(got_rule, firing)] = await records.firings_for_channel("teams", "19:abc", now - 10, now + 10)
    assert got_rule.id == rule.id and firing.observed == 3
    assert await records.firings_for_channel("teams", "19:abc", now + 1, now + 20) == []
