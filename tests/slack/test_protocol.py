"""Signature test vector, buttons, rate limits, App Home and the notifier, through the real server and client."""

from __future__ import annotations

import pytest

from adapters.slack.blocks import render_message
from adapters.slack.client import web_client
from adapters.slack.notifier import SlackNotifier
from qopt.app import Bot
from qopt.bot.reply import Actions, Button, Reply, Text
from qopt.state import open_state
from tests.slack.conftest import Harness, empty_warehouse, fixed_clock, slack_settings, start_harness
from tests.slack.fake_slack import FakeSlack, blocks_of

# Slack's published example (reference/chat-platforms.md).
VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
VECTOR_TIMESTAMP = 1531420618
VECTOR_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
    "channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
    "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
    "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


@pytest.fixture
async def vector_server(tmp_path, fake_slack: FakeSlack):
    settings = slack_settings(tmp_path, fake_slack.base_url, slack_signing_secret=VECTOR_SECRET)
    bot = Bot(settings, warehouse=empty_warehouse(), clock=fixed_clock, state=open_state("sqlite://"))
    h = await start_harness(bot, fake_slack, now=lambda: float(VECTOR_TIMESTAMP) + 30)
    yield h
    await h.client.close()


async def test_published_signature_vector_is_accepted_at_its_time(vector_server: Harness):
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Slack-Request-Timestamp": str(VECTOR_TIMESTAMP), "X-Slack-Signature": VECTOR_SIGNATURE}
    accepted = await vector_server.client.post("/slack/events", data=VECTOR_BODY.encode(), headers=headers)
    # Past the signature check: qopt has no `/webhook-collect` listener, so bolt answers "unhandled" (404).
    assert accepted.status == 404
    tampered = VECTOR_BODY.replace("roadrunner", "coyote")
    refused = await vector_server.client.post("/slack/events", data=tampered.encode(), headers=headers)
    assert refused.status == 401
    wrong_time = dict(headers, **{"X-Slack-Request-Timestamp": str(VECTOR_TIMESTAMP + 1)})
    assert (await vector_server.client.post("/slack/events", data=VECTOR_BODY.encode(), headers=wrong_time)).status == 401


async def test_published_vector_is_stale_today(harness: Harness):
    settings_secret_request = await harness.post(VECTOR_BODY, content_type="application/x-www-form-urlencoded",
                                                  timestamp=VECTOR_TIMESTAMP, signature=VECTOR_SIGNATURE)
    assert settings_secret_request.status == 401


def _click(rendered: dict, label: str, *, user: str = "UANA0001", ephemeral: bool = False, hook: str = "9",
           fake: FakeSlack) -> dict:
    """The block_actions payload Slack sends when `label` is pressed on a message we rendered."""
    for block in rendered["blocks"]:
        for element in block.get("elements", []):
            if block["type"] == "actions" and element["text"]["text"] == label:
                action = {"type": "button", "action_id": element["action_id"], "block_id": block["block_id"],
                          "value": element.get("value", ""), "action_ts": "1.1"}
                container = {"type": "message", "message_ts": "500.1", "channel_id": "C1", "is_ephemeral": ephemeral}
                payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": user, "team_id": "T1"},
                           "api_app_id": "A1", "token": "unused", "container": container, "trigger_id": "1.2",
                           "channel": {"id": "C1"}, "response_url": fake.hook_url(hook), "actions": [action]}
                if not ephemeral:
                    payload["message"] = {"type": "message", "ts": "500.1", "text": rendered["text"], "blocks": rendered["blocks"]}
                return payload
    raise AssertionError(f"no button {label!r}")


async def test_buttons_round_trip(harness: Harness):
    reply = Reply(text="t", blocks=[Text(text="t"), Actions(buttons=[
        Button(label="Help on top", action="help", value="top"),
        Button(label="Next page", action="help", value="--page 2"),
    ])])
    rendered = render_message(reply, source="help")
    # A follow-up button on a channel message: the answer goes in the message's thread.
    assert (await harness.action(_click(rendered, "Help on top", fake=harness.fake))).status == 200
    (post,) = await harness.fake.wait_for("chat.postMessage")
    assert post.data["thread_ts"] == "500.1" and post.data["channel"] == "C1"
    assert harness.seen[-1][0].text == "help top"
    assert "qopt top" in blocks_of(post)[0]["text"]["text"]
    # A paging button replaces the message it sits on, through the response URL.
    await harness.action(_click(rendered, "Next page", fake=harness.fake, hook="10"))
    (hook,) = await harness.fake.wait_for("hook")
    assert hook.path == "10" and hook.data["replace_original"] is True
    assert harness.seen[-1][0].text == "help --page 2"
    # On an ephemeral message, a follow-up comes back as a new ephemeral message.
    await harness.action(_click(rendered, "Help on top", fake=harness.fake, ephemeral=True, hook="11"))
    hooks = await harness.fake.wait_for("hook", 2)
    assert hooks[1].path == "11" and hooks[1].data["response_type"] == "ephemeral"
    assert hooks[1].data["replace_original"] is False
    assert len(harness.fake.of("chat.postMessage")) == 1


async def test_rate_limited_calls_are_retried_after_retry_after(harness: Harness):
    harness.fake.rate_limit("chat.postMessage", 1)
    event = {"type": "app_mention", "user": "UANA0001", "text": "<@UBOT0001> help", "ts": "700.1", "channel": "C1", "team": "T1"}
    await harness.event(event, event_id="Ev429")
    (post,) = await harness.fake.wait_for("chat.postMessage")
    assert harness.fake.attempts["chat.postMessage"] == 2  # one 429, then the retry
    assert post.data["thread_ts"] == "700.1"


async def test_app_home_is_published_from_skills(harness: Harness):
    event = {"type": "app_home_opened", "user": "UBOB0001", "tab": "home", "channel": "D9"}
    await harness.event(event, event_id="EvHome")
    (published,) = await harness.fake.wait_for("views.publish")
    view = published.data["view"]
    assert published.data["user_id"] == "UBOB0001" and view["type"] == "home"
    assert len(view["blocks"]) <= 100
    commands = {r.text for r, _ in harness.seen}
    assert commands == {"cost --days 3 --by day", "top --days 7 --limit 3"}
    assert all(r.user.email == "bob@example.com" for r, _ in harness.seen)
    ids = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert ids and len(ids) == len(set(ids))
    assert not [b for b in view["blocks"] if b["type"] == "table"]


async def test_notifier_posts_and_classifies_failures(tmp_path, fake_slack: FakeSlack):
    notifier = SlackNotifier(web_client(slack_settings(tmp_path, fake_slack.base_url)))
    ok = await notifier.post("C42", Reply.message("Daily digest"))
    assert ok.ok and ok.message_id
    (post,) = fake_slack.of("chat.postMessage")
    assert post.data["channel"] == "C42" and post.data["text"] == "Daily digest"
    assert post.data["_auth"] == "Bearer xoxb-test-token"
    fake_slack.fail("chat.postMessage", "not_in_channel")
    refused = await notifier.post("C43", Reply.message("Daily digest"))
    assert not refused.ok and not refused.retryable and "invite" in (refused.error or "")
    fake_slack.fail("chat.postMessage", "internal_error")
    transient = await notifier.post("C43", Reply.message("Daily digest"))
    assert not transient.ok and transient.retryable


async def test_large_results_are_attached_as_csv_in_the_thread(tmp_path, fake_slack: FakeSlack):
    from adapters.slack.files import attach_csv
    from qopt.bot.results import ResultTable

    every = [[f"user{i}@example.com", i * 0.5] for i in range(150)]
    reply = Reply(text="big", blocks=[ResultTable(columns=["user", "cost_usd"], rows=every[:20], total_rows=150,
                                                  all_rows=every, filename="genie-1.csv"),
                                      ResultTable(columns=["a"], rows=[[1]], all_rows=[[1]])])
    client = web_client(slack_settings(tmp_path, fake_slack.base_url))
    assert await attach_csv(client, "C1", "5.5", reply) == 1  # the small table needs no file
    (upload,) = fake_slack.of("upload")
    lines = upload.data["body"].strip().split("\n")
    assert lines[0] == "user,cost_usd" and len(lines) == 151 and lines[-1] == "user149@example.com,74.5"
    (complete,) = fake_slack.of("files.completeUploadExternal")
    assert complete.data["channel_id"] == "C1" and complete.data["thread_ts"] == "5.5"
    assert "150 rows" in complete.data["initial_comment"]
