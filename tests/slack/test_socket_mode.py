"""Socket Mode (SLACK_APP_TOKEN): no HTTP route; bolt's aiohttp Socket Mode client connects to the (fake) Slack,
acknowledges each envelope, and the answer goes through the same listeners."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from qopt.app import Bot, build_web_app
from qopt.state import open_state
from tests.slack.conftest import empty_warehouse, fixed_clock, slack_settings
from tests.slack.fake_slack import FakeSlack


async def test_socket_mode_answers_a_slash_command(tmp_path, fake_slack: FakeSlack):
    settings = slack_settings(tmp_path, fake_slack.base_url, slack_app_token="xapp-test", slack_signing_secret=None)
    bot = Bot(settings, warehouse=empty_warehouse(), clock=fixed_clock, state=open_state("sqlite://"))
    client = TestClient(TestServer(build_web_app(bot, settings), host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.post("/slack/events", data=b"{}")).status in (404, 405)  # nothing served over HTTP
        (opened,) = await fake_slack.wait_for("apps.connections.open")
        assert opened.data["_auth"] == "Bearer xapp-test"
        for _ in range(200):  # until the client has connected to the fake's websocket
            if fake_slack.sockets:
                break
            await asyncio.sleep(0.01)
        await fake_slack.send_envelope({
            "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"team_id": "T1", "channel_id": "C1", "channel_name": "general", "user_id": "UANA0001",
                        "command": "/qopt", "text": "help top", "response_url": fake_slack.hook_url("s1"),
                        "trigger_id": "1.2"},
        })
        (ack,) = await fake_slack.wait_for("socket")
        assert ack.data["envelope_id"] == "env-1"
        (hook,) = await fake_slack.wait_for("hook")
        assert hook.path == "s1" and "Usage: top" in hook.data["text"]
    finally:
        await client.close()
