"""Multi-workspace install: /slack/install -> /slack/oauth_redirect -> the installation in the state store ->
events of that workspace answered with its own bot token."""

from __future__ import annotations

import json
import re

from qopt.app import Bot
from qopt.state import open_state
from tests.slack.conftest import empty_warehouse, fixed_clock, slack_settings, start_harness
from tests.slack.fake_slack import FakeSlack


async def test_install_flow_stores_the_installation_and_uses_its_token(tmp_path, fake_slack: FakeSlack):
    settings = slack_settings(tmp_path, fake_slack.base_url, slack_bot_token=None, slack_client_id="111.222",
                              slack_client_secret="client-secret")
    state = open_state(f"sqlite:///{tmp_path / 'state.sqlite'}")
    bot = Bot(settings, warehouse=empty_warehouse(), clock=fixed_clock, state=state)
    h = await start_harness(bot, fake_slack, slow_after=5.0)
    try:
        page = await h.client.get("/slack/install")
        assert page.status == 200
        html = await page.text()
        oauth_state = re.search(r"state=([A-Za-z0-9_\-]+)", html).group(1)
        assert "client_id=111.222" in html and "chat%3Awrite" in html.replace(":", "%3A")
        assert await state.kv_get("slack.oauth_states", oauth_state) is not None
        cookie = page.headers.get("Set-Cookie", "").split(";")[0]
        done = await h.client.get(f"/slack/oauth_redirect?code=the-code&state={oauth_state}", headers={"Cookie": cookie})
        assert done.status == 200, await done.text()
        (exchange,) = fake_slack.of("oauth.v2.access")
        assert exchange.data["code"] == "the-code"
        bot_row = await state.kv_get("slack.bots", "none:T9")
        assert bot_row["bot_token"] == "xoxb-installed-t9"
        assert await state.kv_get("slack.oauth_states", oauth_state) is None  # one use only
        # An event from the new workspace is answered with that workspace's token.
        event = {"type": "app_mention", "user": "UANA0001", "text": "<@UBOT0009> help", "ts": "1.1", "channel": "C9", "team": "T9"}
        body_event = {"event": event, "event_id": "EvT9"}
        response = await h.post(
            json.dumps({"token": "x", "team_id": "T9", "api_app_id": "A1", "type": "event_callback",
                                      "event_time": 1, **body_event,
                                      "authorizations": [{"team_id": "T9", "user_id": "UBOT0009", "is_bot": True}]}),
            content_type="application/json")
        assert response.status == 200
        (post,) = await fake_slack.wait_for("chat.postMessage")
        assert post.data["_auth"] == "Bearer xoxb-installed-t9" and post.data["channel"] == "C9"
        # A workspace that never installed qopt is refused by bolt's authorization.
        stranger = await h.post(
            json.dumps({"token": "x", "team_id": "T404", "api_app_id": "A1", "type": "event_callback",
                                      "event_time": 1, "event_id": "Ev404",
                                      "event": dict(event, team="T404"),
                                      "authorizations": [{"team_id": "T404", "user_id": "UBOT0009", "is_bot": True}]}),
            content_type="application/json")
        assert stranger.status in (200, 401)
        await h.settle()
        assert len(fake_slack.of("chat.postMessage")) == 1
    finally:
        await h.client.close()
