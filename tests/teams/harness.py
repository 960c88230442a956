"""Test harness for Teams: a fake Bot Framework connector and a real qopt server, both on 127.0.0.1.

The fake connector is an aiohttp app that answers the connector REST API the SDK's client calls:
replies at `{serviceUrl}/v3/conversations/{id}/activities` (and `/activities/{replyToId}`), updates with PUT at
`/activities/{activityId}`, and member lookups at `/members/{userId}`. It records every call, can fail the next
calls with given statuses (429, ...) and lets a test wait for the N-th recorded call.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
from aiohttp import web

from qopt.app import Bot
from qopt.config import Settings
from qopt.state import open_state
from qopt.warehouse.schema import ddl

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:3f1c9a2e-bot"
BOT_NAME = "qopt"
FIXED_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str
    activity_id: str | None
    body: Any
    authorization: str | None


@dataclass
class FakeConnector:
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer, one per coming write call
    failures_served: int = 0
    member_lookups: int = 0
    url: str = ""
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None

    def app(self, prefix: str = "/amer") -> web.Application:
        app = web.Application()
        base = prefix + "/v3/conversations/{conversation_id}"
        app.router.add_post(base + "/activities", self._write)
        app.router.add_post(base + "/activities/{activity_id}", self._write)
        app.router.add_put(base + "/activities/{activity_id}", self._write)
        app.router.add_get(base + "/members/{user_id}", self._member)
        return app

    async def _write(self, request: web.Request) -> web.Response:
        if self.fail_next:
            status = self.fail_next.pop(0)
            self.failures_served += 1
            return web.json_response({"error": {"code": "Throttled"}}, status=status)
        body = await request.json()
        call = Call(
            method=request.method,
            path=request.path,
            conversation_id=request.match_info["conversation_id"],
            activity_id=request.match_info.get("activity_id"),
            body=body,
            authorization=request.headers.get("Authorization"),
        )
        await self._record(call)
        new_id = call.activity_id if request.method == "PUT" else f"act-{next(self._ids)}"
        return web.json_response({"id": new_id})

    async def _member(self, request: web.Request) -> web.Response:
        self.member_lookups += 1
        member = self.members.get(request.match_info["user_id"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)

    async def _record(self, call: Call) -> None:
        if self._changed is None:
            self._changed = asyncio.Condition()
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Call]:
        """The recorded calls once there are at least `count` (fails the test after `timeout`)."""
        if self._changed is None:
            self._changed = asyncio.Condition()
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.calls) >= count), timeout)
        return list(self.calls)

    def messages(self) -> list[Call]:
        """Calls that carry a message (not typing indicators)."""
        return [c for c in self.calls if c.body.get("type") == "message"]


async def start(app: web.Application, host: str = "127.0.0.1") -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://{host}:{port}"


def empty_warehouse(path: Path) -> Path:
    """A DuckDB file with the system tables and no rows: enough for commands that need no data."""
    with duckdb.connect(str(path)) as conn:
        for statement in ddl():
            conn.execute(statement)
    return path


def make_bot(tmp_path: Path, warehouse_path: Path | None = None, *, now: datetime = FIXED_NOW, **settings: Any) -> Bot:
    warehouse = warehouse_path or empty_warehouse(tmp_path / "warehouse.duckdb")
    values: dict[str, Any] = {"data_dir": tmp_path, "duckdb_path": warehouse,
                              "state_url": f"sqlite:///{tmp_path / 'state.sqlite'}"}
    values.update(settings)
    config = Settings(**values)
    return Bot(config, clock=lambda: now, state=open_state(config.resolved_state_url, clock=lambda: now))


_ids = itertools.count(1_700_000_000_001)


def user(name: str = "Ada Lovelace", user_id: str = "29:1ada", aad: str = "aad-ada") -> dict[str, Any]:
    return {"id": user_id, "name": name, "aadObjectId": aad}


def message(
    service_url: str,
    text: str | None,
    *,
    scope: str = "personal",
    sender: dict[str, Any] | None = None,
    value: Any = None,
    mention: bool = False,
    conversation_id: str | None = None,
) -> dict[str, Any]:
    """A message activity as Teams sends it (personal chat, group chat or channel)."""
    activity_id = str(next(_ids))
    sender = sender or user()
    entities: list[dict[str, Any]] = [
        {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web", "timezone": "Europe/Berlin"}
    ]
    channel_data: dict[str, Any] = {"tenant": {"id": TENANT}}
    if scope == "personal":
        conversation = {"conversationType": "personal", "tenantId": TENANT, "id": conversation_id or "a:1personal-ada"}
    elif scope == "groupChat":
        conversation = {"isGroup": True, "conversationType": "groupChat", "tenantId": TENANT,
                        "id": conversation_id or "19:group-chat@thread.v2"}
    else:
        channel = "19:general@thread.tacv2"
        conversation = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                        "id": conversation_id or f"{channel};messageid={activity_id}"}
        channel_data.update({"teamsChannelId": channel, "teamsTeamId": "19:team@thread.tacv2",
                             "channel": {"id": channel}, "team": {"id": "19:team@thread.tacv2"}})
    if mention and text is not None:
        text = f"<at>{BOT_NAME}</at> {text}"
        entities.append({"type": "mention", "text": f"<at>{BOT_NAME}</at>",
                         "mentioned": {"id": BOT_ID, "name": BOT_NAME}})
    activity: dict[str, Any] = {
        "type": "message",
        "id": activity_id,
        "timestamp": "2026-03-02T09:00:00.000Z",
        "localTimestamp": "2026-03-02T10:00:00.000+01:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender,
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "textFormat": "plain",
        "locale": "en-US",
        "entities": entities,
        "channelData": channel_data,
    }
    if text is not None:
        activity["text"] = text
    if value is not None:
        activity["value"] = value
        activity["replyToId"] = "act-card"
    return activity


def bot_added(service_url: str, conversation_id: str = "19:general@thread.tacv2") -> dict[str, Any]:
    """The conversationUpdate Teams sends when the app is added to a team."""
    return {
        "type": "conversationUpdate",
        "id": f"f:{next(_ids)}",
        "timestamp": "2026-03-02T09:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": "29:1admin", "aadObjectId": "aad-admin"},
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": conversation_id},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "membersAdded": [{"id": BOT_ID}],
        "channelData": {"team": {"id": conversation_id, "name": "Data platform"}, "eventType": "teamMemberAdded",
                        "tenant": {"id": TENANT}},
    }


def card_of(call: Call) -> dict[str, Any]:
    attachments = call.body.get("attachments") or []
    assert attachments, f"no attachment in {json.dumps(call.body)[:300]}"
    assert attachments[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachments[0]["content"]


def card_texts(card: dict[str, Any]) -> list[str]:
    """Every text on the card (TextBlocks, facts, table cells), in order."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(node["text"])
            if node.get("type") == "FactSet":
                out.extend(f"{f['title']}: {f['value']}" for f in node["facts"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body", []))
    return out


def submit_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found
