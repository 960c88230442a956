"""Genie through the chat adapters: a Slack thread and a Teams chat each keep one Genie conversation.

The real Slack (bolt) and Teams (M365 Agents SDK) adapters run against their fake platform servers (the adapters'
own test harnesses); Genie is the emulator, reached by the real databricks-sdk client.
"""

from __future__ import annotations

import json

from qopt.app import Bot
from qopt.state import open_state
from tests.genie.emulator import TOKEN
from tests.slack.conftest import empty_warehouse, fixed_clock, slack_settings, start_harness
from tests.slack.fake_slack import FakeSlack, blocks_of
from tests.teams.harness import card_of, card_texts, message, submit_actions

FAST_POLL = {"genie_poll_min_seconds": 0.01, "genie_poll_max_seconds": 0.02, "databricks_retry_timeout_seconds": 5}


def _mention(text: str, ts: str, thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "user": "UANA0001", "text": f"<@UBOT0001> {text}", "ts": ts, "channel": "C1",
             "team": "T1"}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def _press(post_data: dict, label: str, fake: FakeSlack) -> dict:
    """The block_actions payload Slack sends when `label` is pressed on a message the bot posted in a thread."""
    blocks = json.loads(post_data["blocks"]) if isinstance(post_data["blocks"], str) else post_data["blocks"]
    for block in blocks:
        for element in block.get("elements", []):
            if block["type"] == "actions" and element.get("text", {}).get("text") == label:
                action = {"type": "button", "action_id": element["action_id"], "block_id": block["block_id"],
                          "value": element.get("value", ""), "action_ts": "1.1"}
                return {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "UANA0001", "team_id": "T1"},
                        "api_app_id": "A1", "token": "unused", "trigger_id": "1.2", "channel": {"id": "C1"},
                        "container": {"type": "message", "message_ts": "100.9", "channel_id": "C1"},
                        "response_url": fake.hook_url("7"),
                        "message": {"type": "message", "ts": "100.9", "thread_ts": "100.1", "text": "x",
                                    "blocks": blocks},
                        "actions": [action]}
    raise AssertionError(f"no button {label!r}")


async def test_a_slack_thread_is_one_genie_conversation(tmp_path, genie_url, emulator):
    fake = await FakeSlack().start()
    settings = slack_settings(tmp_path, fake.base_url, genie_space_id="space1", databricks_host=genie_url,
                              databricks_token=TOKEN, **FAST_POLL)
    bot = Bot(settings, warehouse=empty_warehouse(), clock=fixed_clock, state=open_state("sqlite://", clock=fixed_clock))
    harness = await start_harness(bot, fake, slow_after=5.0)
    try:
        await harness.event(_mention("who spent the most this week?", "100.1"), event_id="EvG1")
        (first,) = await fake.wait_for("chat.postMessage")
        assert first.data["thread_ts"] == "100.1"
        assert "Here is the answer to: who spent the most this week?" in first.data["text"]
        # 30 rows, 20 shown: the whole result goes along as a CSV file in the thread.
        (upload,) = await fake.wait_for("upload")
        lines = upload.data["body"].strip().splitlines()
        assert lines[0] == "executed_by,cost_usd,runs,read_bytes,last_run,is_service" and len(lines) == 31
        assert lines[1].startswith("user0@example.com,1000.0,100,12000000.0,")
        await harness.event(_mention("and last month?", "100.5", thread_ts="100.1"), event_id="EvG2")
        posts = await fake.wait_for("chat.postMessage", 2)
        assert posts[1].data["thread_ts"] == "100.1"
        # A new top-level mention is a new thread, so a new conversation.
        await harness.event(_mention("which warehouse is busiest?", "200.1"), event_id="EvG3")
        await fake.wait_for("chat.postMessage", 3)
        by_conversation = {c: [emulator.messages[m].content for m in ids] for c, ids in emulator.conversations.items()}
        assert sorted(by_conversation.values()) == [
            ["which warehouse is busiest?"], ["who spent the most this week?", "and last month?"]]
        # 👍 on the answer in the thread reaches Genie as feedback on that message.
        await harness.action(_press(first.data, "👍 Helpful", fake))
        await fake.wait_for("chat.postMessage", 4)
        rated = [m for m in emulator.messages.values() if m.feedback]
        assert [(m.content, m.feedback) for m in rated] == [("who spent the most this week?", "POSITIVE")]
        assert blocks_of(posts[0])  # rendered as Block Kit
    finally:
        await harness.client.close()
        await bot.close()
        await fake.close()


async def test_a_teams_chat_is_one_genie_conversation(teams_factory, genie_url, emulator):
    teams = await teams_factory(genie_space_id="space1", databricks_host=genie_url, databricks_token=TOKEN, **FAST_POLL)
    await teams.post(message(teams.service_url, "who spent the most this week?"))
    await teams.post(message(teams.service_url, "and last month?"))
    replies = teams.connector.messages()
    assert len(replies) == 2
    assert any("Here is the answer to: and last month?" in t for t in card_texts(card_of(replies[1])))
    (ids,) = emulator.conversations.values()
    assert [emulator.messages[m].content for m in ids] == ["who spent the most this week?", "and last month?"]
    # 👎 pressed on the first card reaches Genie.
    down = next(a for a in submit_actions(card_of(replies[0])) if "👎" in a.get("title", ""))
    await teams.post(message(teams.service_url, None, value=down["data"]))
    assert emulator.messages[ids[0]].feedback == "NEGATIVE"
