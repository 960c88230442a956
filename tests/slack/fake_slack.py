"""A local fake of the Slack Web API and of response URLs: an aiohttp app on 127.0.0.1 that records every call.

The real `AsyncWebClient` (and bolt's) talks to it through `QOPT_SLACK_API_URL`; response URLs in test payloads
point at `/hooks/<n>`. `rate_limit(method, times)` makes the next calls of a method answer 429 with Retry-After.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

USERS = {
    "UANA0001": {"email": "Ana@Example.com", "real_name": "Ana Lima"},
    "UBOB0001": {"email": "bob@example.com", "real_name": "Bob Stone"},
}


@dataclass
class Call:
    method: str  # Web API method, or "hook" for a response_url post
    data: dict[str, Any]
    path: str = ""


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    limited: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, str] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    server: TestServer | None = None
    _ts: int = 1700000000
    _changed: asyncio.Condition | None = None
    sockets: list[Any] = field(default_factory=list)  # open Socket Mode connections (web.WebSocketResponse)

    # -- set-up ----------------------------------------------------------------------------------------------
    async def start(self) -> "FakeSlack":
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/hooks/{hook}", self._hook)
        app.router.add_post("/upload/{file}", self._upload)
        app.router.add_get("/socket", self._socket)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        self._changed = asyncio.Condition()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    def hook_url(self, name: str = "1") -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/hooks/{name}"))

    def rate_limit(self, method: str, times: int = 1) -> None:
        self.limited[method] += times

    def fail(self, method: str, error: str) -> None:
        self.errors[method] = error

    # -- what happened ---------------------------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 20.0) -> list[Call]:
        """Wait until `count` calls of `method` were received (a bound, not a timing assertion)."""
        assert self._changed is not None

        async def reached() -> None:
            async with self._changed:  # type: ignore[union-attr]
                await self._changed.wait_for(lambda: len(self.of(method)) >= count)  # type: ignore[union-attr]

        await asyncio.wait_for(reached(), timeout)
        return self.of(method)

    # -- handlers --------------------------------------------------------------------------------------------
    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.attempts[method] += 1
        if self.limited[method] > 0:
            self.limited[method] -= 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        data: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                data.update(await request.json())
            else:
                data.update(dict(await request.post()))
        data["_auth"] = request.headers.get("Authorization", "")
        if method in self.errors:
            await self._record(Call(method + ":failed", data))
            return web.json_response({"ok": False, "error": self.errors[method]})
        await self._record(Call(method, data))
        return web.json_response(self._answer(method, data))

    async def _hook(self, request: web.Request) -> web.Response:
        await self._record(Call("hook", await request.json(), path=request.match_info["hook"]))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record what the app sends back (acknowledgements of envelopes)."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                await self._record(Call("socket", json.loads(message.data)))
        return ws

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        await self.sockets[-1].send_json(envelope)

    async def _upload(self, request: web.Request) -> web.Response:
        await self._record(Call("upload", {"body": (await request.read()).decode()}, path=request.match_info["file"]))
        return web.Response(text="OK - 1")

    def _answer(self, method: str, data: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            assert self.server is not None
            return {"ok": True, "url": str(self.server.make_url("/socket")).replace("http://", "ws://")}
        if method == "files.getUploadURLExternal":
            assert self.server is not None
            return {"ok": True, "file_id": "F1", "upload_url": str(self.server.make_url("/upload/F1"))}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "result.csv"}]}
        if method == "auth.test":
            return {"ok": True, "url": "https://example.slack.com/", "team": "Example", "user": "qopt",
                    "team_id": "T1", "user_id": "UBOT0001", "bot_id": "BBOT0001"}
        if method == "oauth.v2.access":
            return {"ok": True, "access_token": "xoxb-installed-t9", "token_type": "bot", "scope": "commands,chat:write",
                    "bot_user_id": "UBOT0009", "app_id": "A1", "team": {"id": "T9", "name": "Nine"},
                    "enterprise": None, "is_enterprise_install": False, "authed_user": {"id": "UANA0001"}}
        if method == "users.info":
            user = data.get("user", "")
            profile = USERS.get(user)
            if profile is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": user, "name": user.lower(), "profile": dict(profile)}}
        if method in ("chat.postMessage", "chat.update"):
            self._ts += 1
            ts = data.get("ts") or f"{self._ts}.000100"
            return {"ok": True, "channel": data.get("channel"), "ts": ts, "message": {"text": data.get("text")}}
        return {"ok": True}


def blocks_of(call: Call) -> list[dict[str, Any]]:
    blocks = call.data.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks
