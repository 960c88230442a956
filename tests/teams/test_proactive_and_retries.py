"""Proactive posting through stored conversation references, and retries of throttled connector calls."""

from __future__ import annotations

import random

import pytest

from adapters.teams.connector import RetryPolicy
from adapters.teams.server import build_notifier
from qopt.bot.reply import Header, Reply, Table
from qopt.notify import Notifier
from tests.teams.harness import bot_added, card_of, card_texts, message

CHANNEL = "19:general@thread.tacv2"


def digest() -> Reply:
    return Reply(text="Daily cost digest: $1,234", blocks=[
        Header(text="Daily cost digest"),
        Table(columns=["warehouse", "cost_usd"], rows=[["etl", 1000.0], ["bi", 234.0]], units={"cost_usd": "usd"}),
    ])


async def test_notifier_posts_into_a_stored_channel(teams):
    await teams.post(bot_added(teams.service_url, CHANNEL))
    before = len(teams.connector.calls)
    notifier = teams.endpoint.notifier
    assert isinstance(notifier, Notifier) and notifier.platform == "teams"

    delivery = await notifier.post(CHANNEL, digest())

    assert delivery.ok, delivery.error
    [post] = teams.connector.calls[before:]
    # A new post in the channel: POST .../conversations/{id}/activities, not a reply to any activity.
    assert post.method == "POST" and post.activity_id is None and post.conversation_id == CHANNEL
    assert delivery.message_id == f"act-{len(teams.connector.calls)}"
    texts = card_texts(card_of(post))
    assert "Daily cost digest" in texts and "$1,000" in texts and "$234" in texts
    assert post.body["summary"] == "Daily cost digest: $1,234"
    assert post.body["from"]["id"] == "28:3f1c9a2e-bot"  # the bot account stored with the reference


async def test_notifier_reaches_a_personal_chat_captured_from_a_message(teams):
    await teams.post(message(teams.service_url, "help"))
    delivery = await teams.endpoint.notifier.post("a:1personal-ada", digest())
    assert delivery.ok
    assert teams.connector.calls[-1].conversation_id == "a:1personal-ada"


async def test_uninstall_drops_the_reference(teams):
    await teams.post(bot_added(teams.service_url, CHANNEL))
    removed = bot_added(teams.service_url, CHANNEL)
    removed["membersRemoved"] = removed.pop("membersAdded")
    removed["channelData"]["eventType"] = "teamMemberRemoved"
    before = len(teams.connector.calls)
    response = await teams.post(removed)
    assert response.status in (200, 202)
    assert len(teams.connector.calls) == before  # nothing said on the way out
    delivery = await teams.endpoint.notifier.post(CHANNEL, digest())
    assert not delivery.ok and not delivery.retryable


async def test_notifier_without_a_reference_says_so_and_does_not_retry(teams):
    delivery = await teams.endpoint.notifier.post("19:never-installed@thread.tacv2", digest())
    assert not delivery.ok and not delivery.retryable
    assert "install the app" in (delivery.error or "")
    assert teams.connector.calls == []


async def test_standalone_notifier_uses_the_shared_state(teams):
    """`qopt digest send --platform teams` builds a notifier without a server, over the same state store."""
    await teams.post(bot_added(teams.service_url, CHANNEL))
    notifier = build_notifier(teams.bot.settings, teams.bot.services.state)
    delivery = await notifier.post(CHANNEL, digest())
    assert delivery.ok
    assert teams.connector.calls[-1].conversation_id == CHANNEL


@pytest.mark.parametrize("status", [429, 412, 502, 504])
async def test_throttled_replies_are_retried_with_backoff(teams, status):
    teams.connector.fail_next = [status, status]
    await teams.post(message(teams.service_url, "help"))
    assert teams.connector.failures_served == 2
    kinds = [c.body["type"] for c in teams.connector.calls]
    assert kinds == ["typing", "message"]  # both eventually delivered, once each
    # Full jitter: attempt n waits between 0 and base * 2**n (base 0.5 s in the fixture).
    assert len(teams.sleeps) == 2
    assert 0 <= teams.sleeps[0] <= 0.5 and 0 <= teams.sleeps[1] <= 1.0


async def test_notifier_gives_up_after_the_last_attempt_and_reports_retryable(teams):
    await teams.post(bot_added(teams.service_url, CHANNEL))
    teams.connector.fail_next = [429] * 4  # the fixture's policy makes 4 attempts
    delivery = await teams.endpoint.notifier.post(CHANNEL, digest())
    assert not delivery.ok and delivery.retryable
    assert "429" in (delivery.error or "")
    assert teams.connector.failures_served == 4


async def test_other_errors_are_not_retried(teams):
    await teams.post(bot_added(teams.service_url, CHANNEL))
    teams.connector.fail_next = [403]
    delivery = await teams.endpoint.notifier.post(CHANNEL, digest())
    assert not delivery.ok and not delivery.retryable
    assert teams.connector.failures_served == 1 and teams.sleeps == []


def test_backoff_grows_exponentially_is_capped_and_honours_retry_after():
    policy = RetryPolicy(base_seconds=1.0, cap_seconds=8.0, rng=random.Random(7))
    for attempt in range(8):
        bound = min(8.0, 2.0**attempt)
        delays = [policy.delay(attempt, None) for _ in range(200)]
        assert all(0 <= d <= bound for d in delays)
        assert max(delays) > bound * 0.8  # jitter spreads over the whole window
    assert policy.delay(0, "3") == 3.0
    assert policy.delay(0, "999") == policy.retry_after_cap_seconds
    assert 0 <= policy.delay(0, "Wed, 21 Oct 2015 07:28:00 GMT") <= 1.0  # a date falls back to backoff
