"""Slack test harness: the real bolt app inside the real aiohttp server (`qopt.app.build_web_app`), talking to a
local fake Slack Web API. Requests are signed like Slack signs them."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

import duckdb
import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from qopt.app import Bot, build_web_app
from qopt.config import Settings
from qopt.state import open_state
from qopt.warehouse.duckdb import DuckDBWarehouse
from qopt.warehouse.schema import ddl
from tests.slack.fake_slack import FakeSlack

SECRET = "test-signing-secret-0123456789abcdef"
FIXED_NOW = datetime(2026, 3, 9, 12, 0, tzinfo=timezone.utc)


def fixed_clock() -> datetime:
    return FIXED_NOW


def empty_warehouse() -> DuckDBWarehouse:
    """The real schema with no rows: enough for the protocol tests (help, friendly replies, limits)."""
    conn = duckdb.connect()
    for statement in ddl():
        conn.execute(statement)
    return DuckDBWarehouse.from_connection(conn)


def slack_settings(tmp_path: Any, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        data_dir=tmp_path,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=api_url,
        slack_app_token=None,
        slack_client_id=None,
        slack_client_secret=None,
        teams_app_id=None,
        genie_space_id=None,
    )
    if "scheduler_enabled" in Settings.model_fields:  # these tests are about chat, not scheduled posts
        values["scheduler_enabled"] = False
    values.update(overrides)
    return Settings(**values)


def check_limits_of(message: dict[str, Any]) -> None:
    """Slack's Block Kit limits on one rendered message (shared by the rendering and golden tests)."""
    from tests.slack.test_blocks import check_limits

    check_limits(message)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


class Harness:
    """A running `qopt serve` application plus helpers to talk to it as Slack does."""

    def __init__(self, client: TestClient, bot: Bot, fake: FakeSlack) -> None:
        self.client = client
        self.bot = bot
        self.fake = fake
        self.seen: list[Any] = []  # (request, reply) pairs, from the router's public observer hook
        bot.router.observers.append(lambda request, reply, seconds: self.seen.append((request, reply)))

    @property
    def adapter(self) -> Any:
        from adapters.slack.web import ADAPTER_KEY

        return self.client.server.app[ADAPTER_KEY]

    async def post(self, body: str, *, content_type: str, timestamp: int | None = None, secret: str = SECRET,
                   signature: str | None = None, headers: dict[str, str] | None = None) -> Any:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig or ""}
        all_headers.update(headers or {})
        return await self.client.post("/slack/events", data=body.encode(), headers=all_headers)

    async def command(self, text: str, *, user: str = "UANA0001", channel: str = "C1", hook: str = "1", **kw: Any) -> Any:
        body = urlencode({
            "token": "unused", "team_id": "T1", "team_domain": "example", "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general", "user_id": user,
            "user_name": user.lower(), "command": "/qopt", "text": text, "response_url": self.fake.hook_url(hook),
            "trigger_id": "1.2.3",
        })
        return await self.post(body, content_type="application/x-www-form-urlencoded", **kw)

    async def event(self, event: dict[str, Any], *, event_id: str, **kw: Any) -> Any:
        body = json.dumps({"token": "unused", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                           "event_id": event_id, "event_time": 1, "event": event,
                           "authorizations": [{"team_id": "T1", "user_id": "UBOT0001", "is_bot": True}]})
        return await self.post(body, content_type="application/json", **kw)

    async def action(self, payload: dict[str, Any], **kw: Any) -> Any:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, content_type="application/x-www-form-urlencoded", **kw)

    async def settle(self) -> None:
        """Wait until the adapter has no answer in flight."""
        assert await self.adapter.drain(30)


async def start_harness(bot: Bot, fake: FakeSlack, **slack_options: Any) -> Harness:
    web_app = build_web_app(bot, bot.settings, slack_options=slack_options)
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    return Harness(client, bot, fake)


@pytest.fixture
async def harness(tmp_path: Any, fake_slack: FakeSlack) -> AsyncIterator[Harness]:
    settings = slack_settings(tmp_path, fake_slack.base_url)
    bot = Bot(settings, warehouse=empty_warehouse(), clock=fixed_clock, state=open_state("sqlite://", clock=fixed_clock))
    h = await start_harness(bot, fake_slack, slow_after=5.0)
    yield h
    await h.client.close()
