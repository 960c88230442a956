"""A local emulator of the Genie Conversation REST API (aiohttp, 127.0.0.1, random port).

It speaks the wire format the real databricks-sdk client expects. Each GET of a message moves it one status
forward, so progress is deterministic. The question text picks the outcome:
- contains "fail"     → ends FAILED with an error;
- contains "cancel"   → ends CANCELLED;
- contains "forever"  → stays EXECUTING_QUERY;
- contains "expired"  → ends QUERY_RESULT_EXPIRED; query-result gives CLOSED until execute-query is called;
- contains "notable"  → COMPLETED with text only;
- anything else       → COMPLETED with text, a query (SQL + result) and suggested questions.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "test-token"
PROGRESSION = ["SUBMITTED", "FETCHING_METADATA", "ASKING_AI", "EXECUTING_QUERY"]

# The result every query answer returns: typed columns, cells as strings (as Databricks sends them).
COLUMNS = [
    ("executed_by", "STRING", "string"),
    ("cost_usd", "DECIMAL", "decimal(38,2)"),
    ("runs", "LONG", "bigint"),
    ("read_bytes", "DOUBLE", "double"),
    ("last_run", "TIMESTAMP", "timestamp"),
    ("is_service", "BOOLEAN", "boolean"),
]


def result_rows(n: int) -> list[list[str | None]]:
    rows = []
    for i in range(n):
        rows.append([
            f"user{i}@example.com",
            f"{1000 - i * 7.25:.2f}",
            str(100 + i),
            "1.2E7" if i == 0 else str(1000.5 * (i + 1)),
            f"2026-11-{1 + i % 28:02d}T03:00:00.000Z",
            "true" if i % 2 else "false",
        ])
    if n > 1:
        rows[-1][4] = None  # a null cell
    return rows


@dataclass
class Message:
    space_id: str
    conversation_id: str
    message_id: str
    content: str
    index: int  # position in its conversation (0 = the question that started it)
    polls: int = 0
    executed: bool = False
    feedback: str | None = None

    @property
    def outcome(self) -> str:
        text = self.content.lower()
        for word in ("fail", "cancel", "forever", "expired", "notable"):
            if word in text:
                return word
        return "answer"

    def status(self) -> str:
        if self.outcome == "forever":
            return PROGRESSION[min(self.polls, len(PROGRESSION) - 1)]
        if self.polls < len(PROGRESSION):
            return PROGRESSION[self.polls]
        return {"fail": "FAILED", "cancel": "CANCELLED", "expired": "QUERY_RESULT_EXPIRED"}.get(self.outcome, "COMPLETED")


@dataclass
class GenieEmulator:
    rows: int = 30
    clock: Callable[[], float] | None = None  # the tests' fake clock, to time-stamp questions
    spaces: dict[str, str] = field(default_factory=lambda: {"space1": "Costs", "space2": "Performance"})
    messages: dict[str, Message] = field(default_factory=dict)
    conversations: dict[str, list[str]] = field(default_factory=dict)
    questions: list[tuple[float, str, str]] = field(default_factory=list)  # (time, conversation, content)
    requests: list[tuple[str, str]] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    # -- helpers ----------------------------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}"

    def _time(self) -> float:
        return self.clock() if self.clock else 0.0

    def _message_json(self, m: Message) -> dict[str, Any]:
        status = m.status()
        body: dict[str, Any] = {
            "id": m.message_id, "message_id": m.message_id, "conversation_id": m.conversation_id,
            "space_id": m.space_id, "content": m.content, "status": status, "created_timestamp": 1764126000000,
            "attachments": [],
        }
        if status == "FAILED":
            body["error"] = {"error": "The question could not be answered from the available tables.",
                             "type": "GENERIC_CHAT_COMPLETION_EXCEPTION"}
        if status in ("COMPLETED", "QUERY_RESULT_EXPIRED"):
            body["attachments"] = self._attachments(m)
        return body

    def _attachments(self, m: Message) -> list[dict[str, Any]]:
        follow = f" (message {m.index + 1} of conversation {m.conversation_id})"
        text = {"attachment_id": f"{m.message_id}-t", "text": {"content": f"Here is the answer to: {m.content}{follow}"}}
        if m.outcome == "notable":
            return [text]
        query = {
            "attachment_id": f"{m.message_id}-q",
            "query": {
                "query": "SELECT executed_by, sum(cost) AS cost_usd\nFROM qopt.genie_cost_attribution\nGROUP BY 1",
                "title": "Cost by user", "description": "Sums attributed cost by user.",
                "statement_id": f"st-{m.message_id}",
                "query_result_metadata": {"row_count": self.rows, "is_truncated": False},
            },
        }
        suggested = {"attachment_id": f"{m.message_id}-s",
                     "suggested_questions": {"questions": ["Which warehouses cost the most?", "Show spend by day"]}}
        return [text, query, suggested]

    def _statement(self, m: Message, state: str = "SUCCEEDED") -> dict[str, Any]:
        rows = result_rows(self.rows)
        body: dict[str, Any] = {"statement_id": f"st-{m.message_id}", "status": {"state": state}}
        if state == "SUCCEEDED":
            body["manifest"] = {
                "format": "JSON_ARRAY",
                "schema": {"column_count": len(COLUMNS), "columns": [
                    {"name": n, "position": i, "type_name": t, "type_text": tt} for i, (n, t, tt) in enumerate(COLUMNS)
                ]},
                "total_row_count": len(rows), "total_chunk_count": 1, "truncated": False,
            }
            body["result"] = {"chunk_index": 0, "row_offset": 0, "row_count": len(rows)}
            if rows:
                body["result"]["data_array"] = rows
        return {"statement_response": body}

    # -- the app ----------------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth])
        base = "/api/2.0/genie/spaces"
        app.router.add_get("/.well-known/databricks-config", self.no_discovery)
        app.router.add_get(base, self.list_spaces)
        app.router.add_post(base + "/{space}/start-conversation", self.start)
        app.router.add_post(base + "/{space}/conversations/{conv}/messages", self.create)
        msg = base + "/{space}/conversations/{conv}/messages/{msg}"
        app.router.add_get(msg, self.get)
        app.router.add_get(msg + "/attachments/{att}/query-result", self.query_result)
        app.router.add_post(msg + "/attachments/{att}/execute-query", self.execute)
        app.router.add_post(msg + "/feedback", self.feedback)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        if request.path.startswith("/api/") and request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return _error(401, "UNAUTHENTICATED", "Invalid access token.")
        return await handler(request)

    def _find(self, request: web.Request) -> Message | web.Response:
        space = request.match_info["space"]
        if space not in self.spaces:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Space {space} does not exist.")
        conv = request.match_info["conv"]
        if conv not in self.conversations:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Conversation {conv} does not exist.")
        m = self.messages.get(request.match_info.get("msg", ""))
        if m is None or m.conversation_id != conv:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", "Message does not exist.")
        return m

    async def no_discovery(self, request: web.Request) -> web.Response:
        return web.json_response({}, status=404)

    async def list_spaces(self, request: web.Request) -> web.Response:
        return web.json_response({"spaces": [
            {"space_id": s, "title": t, "description": f"{t} questions"} for s, t in self.spaces.items()
        ]})

    def _ask(self, space: str, conv: str, content: str) -> Message:
        m = Message(space, conv, self._new_id("m"), content, index=len(self.conversations[conv]))
        self.messages[m.message_id] = m
        self.conversations[conv].append(m.message_id)
        self.questions.append((self._time(), conv, content))
        return m

    async def start(self, request: web.Request) -> web.Response:
        space = request.match_info["space"]
        if space not in self.spaces:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Space {space} does not exist.")
        content = (await request.json())["content"]
        conv = self._new_id("c")
        self.conversations[conv] = []
        m = self._ask(space, conv, content)
        return web.json_response({
            "conversation_id": conv, "message_id": m.message_id,
            "conversation": {"id": conv, "conversation_id": conv, "space_id": space, "title": content},
            "message": self._message_json(m),
        })

    async def create(self, request: web.Request) -> web.Response:
        space, conv = request.match_info["space"], request.match_info["conv"]
        if space not in self.spaces or conv not in self.conversations:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Conversation {conv} does not exist.")
        m = self._ask(space, conv, (await request.json())["content"])
        return web.json_response(self._message_json(m))

    async def get(self, request: web.Request) -> web.Response:
        m = self._find(request)
        if isinstance(m, web.Response):
            return m
        m.polls += 1
        return web.json_response(self._message_json(m))

    async def query_result(self, request: web.Request) -> web.Response:
        m = self._find(request)
        if isinstance(m, web.Response):
            return m
        if m.outcome == "expired" and not m.executed:
            return web.json_response(self._statement(m, "CLOSED"))
        return web.json_response(self._statement(m))

    async def execute(self, request: web.Request) -> web.Response:
        m = self._find(request)
        if isinstance(m, web.Response):
            return m
        m.executed = True
        return web.json_response(self._statement(m, "RUNNING"))

    async def feedback(self, request: web.Request) -> web.Response:
        m = self._find(request)
        if isinstance(m, web.Response):
            return m
        m.feedback = (await request.json())["rating"]
        return web.json_response({})


def _error(status: int, code: str, message: str) -> web.Response:
    return web.Response(status=status, text=json.dumps({"error_code": code, "message": message}),
                        content_type="application/json")


class FakeTime:
    """A clock that only moves when someone sleeps: tests wait minutes without waiting."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        import asyncio

        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)
