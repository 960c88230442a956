"""The real bolt app in the real aiohttp server against a fake Slack Web API: commands, events, signatures."""

from __future__ import annotations

import json
import re
import time

from tests.slack.conftest import SECRET, Harness
from tests.slack.fake_slack import blocks_of


async def test_signed_command_is_acknowledged_and_answered_through_response_url(harness: Harness):
    response = await harness.command("help")
    assert response.status == 200
    (hook,) = await harness.fake.wait_for("hook")
    assert hook.data["response_type"] == "ephemeral"
    assert hook.data["replace_original"] is False
    assert "commands" in hook.data["text"].lower()
    assert blocks_of(hook)[0]["type"] == "header"
    # users.info was asked once, and the e-mail reached the router, lower-cased, for access control.
    assert [c.data["user"] for c in harness.fake.of("users.info")] == ["UANA0001"]
    request, reply = harness.seen[-1]
    assert request.user.email == "ana@example.com" and request.user.name == "Ana Lima"
    assert request.place.platform == "slack" and request.place.team_id == "T1" and request.place.channel_id == "C1"
    assert request.place.is_dm is False


async def test_share_posts_in_channel_and_users_info_is_cached(harness: Harness):
    await harness.command("help --share")
    await harness.command("help top", hook="2")
    hooks = await harness.fake.wait_for("hook", 2)
    by_hook = {h.path: h for h in hooks}
    assert by_hook["1"].data["response_type"] == "in_channel"
    assert by_hook["2"].data["response_type"] == "ephemeral"
    assert "--share" not in harness.seen[0][0].text
    assert len(harness.fake.of("users.info")) == 1


async def test_empty_text_gives_help_and_garbage_a_friendly_reply(harness: Harness):
    await harness.command("")
    await harness.command("x" * 4000 + " ; DROP TABLE <b>&amp;", hook="2")
    hooks = {h.path: h for h in await harness.fake.wait_for("hook", 2)}
    assert "commands" in hooks["1"].data["text"].lower()
    garbage = hooks["2"].data
    assert "help" in garbage["text"].lower()  # points the way, whichever skill took the text
    assert "Traceback" not in garbage["text"] and len(garbage["text"]) < 1000
    for block in blocks_of(hooks["2"]):
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000


async def test_slow_answer_gets_a_placeholder_replaced_in_place(harness: Harness):
    harness.adapter.slow_after = 0.0  # every answer counts as slow
    await harness.command("top --days 7")
    first, second = await harness.fake.wait_for("hook", 2)
    assert first.data["text"] == "Looking at 7 days of queries…"
    assert first.data.get("replace_original") in (None, False)
    assert second.data["replace_original"] is True
    assert second.data["response_type"] == "ephemeral"


async def test_unknown_user_still_gets_an_answer(harness: Harness):
    await harness.command("help", user="UNOBODY01")
    (hook,) = await harness.fake.wait_for("hook")
    assert "commands" in hook.data["text"].lower()
    assert harness.seen[-1][0].user.email is None


async def test_bad_and_stale_signatures_are_refused(harness: Harness):
    assert (await harness.command("help", secret="not-the-secret")).status == 401
    assert (await harness.command("help", timestamp=int(time.time()) - 6 * 60)).status == 401
    assert (await harness.command("help", timestamp=int(time.time()) + 6 * 60)).status == 401
    assert (await harness.command("help", signature="v0=" + "0" * 64)).status == 401
    junk = await harness.client.post("/slack/events", data=b"text=help", headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=x"})
    assert junk.status == 401
    missing = await harness.client.post("/slack/events", data=b"text=help")
    assert missing.status == 401
    await harness.settle()
    assert harness.fake.of("hook") == [] and harness.seen == []


async def test_mention_is_answered_in_the_thread_and_follow_ups_keep_context(harness: Harness):
    event = {"type": "app_mention", "user": "UANA0001", "text": "<@UBOT0001> help", "ts": "100.1", "channel": "C1", "team": "T1"}
    assert (await harness.event(event, event_id="Ev1")).status == 200
    (post,) = await harness.fake.wait_for("chat.postMessage")
    assert post.data["channel"] == "C1" and post.data["thread_ts"] == "100.1"
    assert "commands" in post.data["text"].lower()
    assert harness.seen[-1][0].place.thread_id == "100.1"
    # A follow-up in the thread that only gives options reuses the thread's command.
    follow = {"type": "app_mention", "user": "UANA0001", "text": "<@UBOT0001> --days 3", "ts": "100.5",
              "thread_ts": "100.1", "channel": "C1", "team": "T1"}
    await harness.event(follow, event_id="Ev2")
    posts = await harness.fake.wait_for("chat.postMessage", 2)
    assert posts[1].data["thread_ts"] == "100.1"
    assert harness.seen[-1][0].text == "help --days 3"


async def test_direct_message_is_answered_and_bot_messages_are_ignored(harness: Harness):
    dm = {"type": "message", "channel_type": "im", "user": "UBOB0001", "text": "help cost", "ts": "200.1", "channel": "D1"}
    await harness.event(dm, event_id="EvDM")
    (post,) = await harness.fake.wait_for("chat.postMessage")
    assert post.data["channel"] == "D1" and post.data["thread_ts"] == "200.1"
    request = harness.seen[-1][0]
    assert request.place.is_dm is True and request.user.email == "bob@example.com"
    own = {"type": "message", "channel_type": "im", "bot_id": "BBOT0001", "user": "UBOT0001", "text": "hi", "ts": "200.2", "channel": "D1"}
    edit = {"type": "message", "subtype": "message_changed", "channel_type": "im", "ts": "200.3", "channel": "D1"}
    await harness.event(own, event_id="EvOwn")
    await harness.event(edit, event_id="EvEdit")
    await harness.settle()
    assert len(harness.fake.of("chat.postMessage")) == 1


async def test_retried_events_are_answered_once(harness: Harness):
    event = {"type": "app_mention", "user": "UANA0001", "text": "<@UBOT0001> help", "ts": "300.1", "channel": "C1", "team": "T1"}
    await harness.event(event, event_id="EvRetry")
    await harness.fake.wait_for("chat.postMessage")
    for n in (1, 2, 3):
        again = await harness.event(event, event_id="EvRetry",
                                    headers={"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"})
        assert again.status == 200
    await harness.settle()
    assert len(harness.fake.of("chat.postMessage")) == 1
    assert len(harness.seen) == 1


async def test_url_verification_challenge(harness: Harness):
    body = json.dumps({"token": "x", "challenge": "abc123", "type": "url_verification"})
    response = await harness.post(body, content_type="application/json")
    assert response.status == 200
    assert (await response.json())["challenge"] == "abc123"


async def test_healthz_and_metrics(harness: Harness):
    health = await harness.client.get("/healthz")
    assert health.status == 200 and (await health.json())["status"] == "ok"
    await harness.command("help")
    await harness.command("nonsense-command", hook="2")
    await harness.fake.wait_for("hook", 2)
    text = await (await harness.client.get("/metrics")).text()
    assert 'qopt_requests_total{skill="help",platform="slack",outcome="ok"} 1' in text
    assert 'qopt_requests_total{skill="unknown",platform="slack",outcome="refused"} 1' in text
    assert 'qopt_request_seconds_count{skill="help",platform="slack"} 1' in text
    assert 'qopt_http_requests_total{route="/slack/events",method="POST",status="200"} 2' in text


def test_secret_constant_is_not_the_published_vector():
    assert SECRET != "8f742231b10e8888abcd99yyyzzz85a5"


async def test_slow_mention_gets_a_placeholder_then_chat_update(harness: Harness):
    harness.adapter.slow_after = 0.0
    event = {"type": "app_mention", "user": "UANA0001", "text": "<@UBOT0001> top --days 30", "ts": "900.1", "channel": "C1", "team": "T1"}
    await harness.event(event, event_id="EvSlow")
    (update,) = await harness.fake.wait_for("chat.update")
    (placeholder,) = harness.fake.of("chat.postMessage")
    assert placeholder.data["text"] == "Looking at 30 days of queries…" and placeholder.data["thread_ts"] == "900.1"
    assert update.data["channel"] == "C1" and update.data["ts"].startswith("17")
    assert blocks_of(update)


async def test_progress_lines_update_the_placeholder_within_a_budget():
    from adapters.slack.progress import Progress

    shown: list[tuple[str, bool]] = []

    async def show(line: str, first: bool) -> None:
        shown.append((line, first))

    progress = Progress(show, "Working on it…", max_updates=2, min_interval=0.0)
    await progress.report("Genie is thinking…")  # before the placeholder: becomes its text
    await progress.start()
    for n in range(5):
        await progress.report(f"step {n}")
    assert shown == [("Genie is thinking…", True), ("step 0", False), ("step 1", False)]


async def test_thread_context_survives_a_restart(tmp_path, fake_slack):
    from qopt.app import Bot
    from qopt.state import open_state
    from tests.slack.conftest import empty_warehouse, fixed_clock, slack_settings, start_harness

    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    first_text = {"type": "app_mention", "user": "UANA0001", "text": "<@UBOT0001> help", "ts": "10.1", "channel": "C1", "team": "T1"}
    follow = {"type": "app_mention", "user": "UANA0001", "text": "<@UBOT0001> --days 2", "ts": "10.9", "thread_ts": "10.1",
              "channel": "C1", "team": "T1"}
    for round_, (event, event_id) in enumerate([(first_text, "EvA"), (follow, "EvB"), (first_text, "EvA")]):
        bot = Bot(slack_settings(tmp_path, fake_slack.base_url), warehouse=empty_warehouse(), clock=fixed_clock,
                  state=open_state(url))
        h = await start_harness(bot, fake_slack)
        try:
            await h.event(event, event_id=event_id)
            await h.settle()
            if round_ == 1:
                assert h.seen[-1][0].text == "help --days 2"  # the thread's command, remembered by the old process
            if round_ == 2:
                assert h.seen == []  # the retried event id is remembered across the restart too
        finally:
            await h.client.close()
    assert len(fake_slack.of("chat.postMessage")) == 2


async def test_failing_warehouse_gives_an_apology_with_an_error_id_and_healthz_503(harness: Harness):
    harness.bot.services.warehouse._conn.close()  # the real DuckDB connection goes away, as a crashed service would
    health = await harness.client.get("/healthz")
    assert health.status == 503
    problems = (await health.json())["problems"]
    assert problems and problems[0].startswith("warehouse:")
    await harness.command("top --days 7")
    (hook,) = await harness.fake.wait_for("hook")
    reply = harness.seen[-1][1]
    assert not reply.ok and reply.error_id and re.fullmatch(r"[0-9a-f]{8}", reply.error_id)
    assert reply.error_id in hook.data["text"] and hook.data["text"].startswith("⚠️")
    assert "Traceback" not in hook.data["text"]
