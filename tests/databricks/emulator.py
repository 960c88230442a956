"""A local emulator of the Databricks endpoints qopt uses, for tests with the real `databricks-sdk` client.

An aiohttp app on 127.0.0.1 (random port) that executes SQL statements on a DuckDB file through qopt's own
`to_duckdb`, and answers with the JSON the Statement Execution API sends: `status`, `manifest` (schema with
`type_name`/`type_text`, chunks), `result` chunks of `chunk_size` rows with every cell as a string or null, and
`next_chunk_index`. Knobs make it misbehave like a real workspace: statements that stay PENDING or hang,
SQL that FAILS, missing privileges on a system schema, 429/503 with Retry-After, a stopped warehouse, a bad token.
Also served: host metadata and OAuth M2M (discovery + token), `warehouses/get`, `current_user.me`, Genie `get_space`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from aiohttp import web
from sqlglot import exp

from qopt.errors import QoptError
from qopt.warehouse.dialect import to_duckdb

TOKEN = "dapi-emulator-token"
CLIENT_ID = "sp-qopt-client"
CLIENT_SECRET = "sp-qopt-secret"
M2M_TOKEN = "m2m-access-token"
WAREHOUSE_ID = "wh-emulated"
PRINCIPAL = "qopt-bot@example.com"


@dataclass
class Statement:
    statement_id: str
    sql: str
    parameters: list[dict]
    polls_left: int
    hang: bool
    state: str = "PENDING"
    response: dict | None = None  # status + manifest, once run
    chunks: list[dict] = field(default_factory=list)


def databricks_type(duck_type: str) -> dict[str, Any]:
    """type_name / type_text (and precision/scale) of a DuckDB result column, as Databricks would report it."""
    t = duck_type.upper()
    if t.endswith("]"):
        return {"type_name": "ARRAY", "type_text": f"ARRAY<{databricks_type(duck_type[: duck_type.rindex('[')])['type_text']}>"}
    if t.startswith("MAP("):
        return {"type_name": "MAP", "type_text": "MAP<STRING,STRING>"}
    if t.startswith("STRUCT("):
        return {"type_name": "STRUCT", "type_text": "STRUCT<...>"}
    m = re.match(r"DECIMAL\((\d+),\s*(\d+)\)", t)
    if m:
        p, s = int(m.group(1)), int(m.group(2))
        return {"type_name": "DECIMAL", "type_text": f"DECIMAL({p},{s})", "type_precision": p, "type_scale": s}
    simple = {
        "BOOLEAN": "BOOLEAN", "TINYINT": "BYTE", "SMALLINT": "SHORT", "INTEGER": "INT", "BIGINT": "LONG",
        "HUGEINT": "LONG", "UBIGINT": "LONG", "UINTEGER": "LONG", "USMALLINT": "INT", "UTINYINT": "SHORT",
        "FLOAT": "FLOAT", "DOUBLE": "DOUBLE", "VARCHAR": "STRING", "DATE": "DATE",
        "TIMESTAMP WITH TIME ZONE": "TIMESTAMP", "TIMESTAMP": "TIMESTAMP_NTZ", "INTERVAL": "INTERVAL",
        "BLOB": "BINARY", "UUID": "STRING", "NULL": "NULL", '"NULL"': "NULL",
    }
    name = simple.get(t, "STRING")
    return {"type_name": name if name != "TIMESTAMP_NTZ" else None, "type_text": name}


def java_double(value: float) -> str:
    """Java's Double.toString: plain between 1e-3 and 1e7, else `1.2E7` (what Databricks sends)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    digits_text = "".join(map(str, digits))
    power = len(digits) - 1 + exponent
    mantissa = digits_text[0] + "." + (digits_text[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{power}"


def _timestamp(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    text += f".{value.microsecond:06d}" if value.microsecond % 1000 else f".{value.microsecond // 1000:03d}"
    return text + ("Z" if value.tzinfo is not None else "")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cell(value: Any) -> str | None:
    """One value as Databricks' JSON_ARRAY text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=_json_default, separators=(",", ":"))
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    return str(value)


def parameter(item: dict) -> Any:
    """A typed statement parameter as the Python value DuckDB binds."""
    value, typ = item.get("value"), (item.get("type") or "STRING").upper()
    if value is None:
        return None
    if typ in ("BIGINT", "INT", "INTEGER", "SMALLINT", "TINYINT", "LONG"):
        return int(value)
    if typ in ("DOUBLE", "FLOAT"):
        return float(value)
    if typ.startswith("DECIMAL"):
        return Decimal(value)
    if typ == "BOOLEAN":
        return value.lower() == "true"
    if typ == "DATE":
        return date.fromisoformat(value)
    if typ.startswith("TIMESTAMP"):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return value


def system_schemas(sql: str) -> set[str]:
    try:
        tree = sqlglot.parse_one(sql, read="databricks")
    except Exception:  # noqa: BLE001
        return set()
    return {t.db.lower() for t in tree.find_all(exp.Table) if t.catalog.lower() == "system"}


class Emulator:
    """Start with `await emulator.start()`; `emulator.host` is the base URL for the SDK."""

    def __init__(self, duckdb_path: Path | str, *, chunk_size: int = 3) -> None:
        self.conn = duckdb.connect(str(duckdb_path), read_only=True)
        self.conn.execute("SET TimeZone = 'UTC'")
        self.chunk_size = chunk_size
        self.statements: dict[str, Statement] = {}
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, json body)
        self.cancelled: list[str] = []
        # knobs
        self.pending_polls = 0
        self.hang = False
        self.throttle: list[int] = []  # statuses to answer the next API requests with (429/503)
        self.throttle_forever: int | None = None
        self.retry_after = "0"
        self.denied_schemas: set[str] = set()
        self.warehouse_state = "RUNNING"
        self.genie_spaces = {"space-cost": "Cost and usage"}
        self.bad_token_status = 403  # what a wrong token gets (Databricks: 403 "Invalid access token"; 401 also seen)
        self._runner: web.AppRunner | None = None
        self.host = ""

    # -- lifecycle ------------------------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/.well-known/databricks-config", self.host_metadata)
        app.router.add_get("/oidc/.well-known/oauth-authorization-server", self.oidc_discovery)
        app.router.add_post("/oidc/v1/token", self.oidc_token)
        app.router.add_post("/api/2.0/sql/statements", self.execute)
        app.router.add_post("/api/2.0/sql/statements/", self.execute)
        app.router.add_get("/api/2.0/sql/statements/{sid}", self.get_statement)
        app.router.add_get("/api/2.0/sql/statements/{sid}/result/chunks/{n}", self.get_chunk)
        app.router.add_post("/api/2.0/sql/statements/{sid}/cancel", self.cancel)
        app.router.add_get("/api/2.0/sql/warehouses/{wid}", self.get_warehouse)
        app.router.add_get("/api/2.0/preview/scim/v2/Me", self.me)
        app.router.add_get("/api/2.0/genie/spaces/{space_id}", self.get_space)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.host = f"http://127.0.0.1:{port}"
        return self.host

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        self.conn.close()

    def api_requests(self, path_prefix: str) -> list[tuple[str, str, Any]]:
        return [r for r in self.requests if r[1].startswith(path_prefix)]

    # -- plumbing -------------------------------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler):
        body = None
        if request.can_read_body and request.content_type == "application/json":
            body = await request.json()
        self.requests.append((request.method, request.path, body))
        if not request.path.startswith("/api/"):
            return await handler(request)
        status = self.throttle.pop(0) if self.throttle else self.throttle_forever
        if status:
            code = "TOO_MANY_REQUESTS" if status == 429 else "TEMPORARILY_UNAVAILABLE"
            return web.json_response(
                {"error_code": code, "message": f"emulated {status}"}, status=status, headers={"Retry-After": self.retry_after}
            )
        auth = request.headers.get("Authorization", "")
        if not auth:
            return _error(401, "UNAUTHENTICATED", "No access token.")
        if auth not in (f"Bearer {TOKEN}", f"Bearer {M2M_TOKEN}"):
            if self.bad_token_status == 401:
                return _error(401, "UNAUTHENTICATED", "Credential was not sent or was of an unsupported type for this API.")
            return _error(403, "PERMISSION_DENIED", "Invalid access token.")
        return await handler(request)

    async def host_metadata(self, request: web.Request) -> web.Response:
        return web.json_response({"oidc_endpoint": f"{self.host}/oidc", "workspace_id": "1234567890"})

    async def oidc_discovery(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"authorization_endpoint": f"{self.host}/oidc/v1/authorize", "token_endpoint": f"{self.host}/oidc/v1/token"}
        )

    async def oidc_token(self, request: web.Request) -> web.Response:
        form = await request.post()
        auth = request.headers.get("Authorization", "")
        basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        good = auth == basic or (form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET)
        if form.get("grant_type") != "client_credentials" or not good:
            return web.json_response({"error": "invalid_client", "error_description": "Client authentication failed"}, status=401)
        return web.json_response({"access_token": M2M_TOKEN, "token_type": "Bearer", "expires_in": 3600, "scope": "all-apis"})

    # -- statements -----------------------------------------------------------------------------------------------

    async def execute(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("warehouse_id") != WAREHOUSE_ID:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Warehouse {body.get('warehouse_id')} does not exist.")
        wait = body.get("wait_timeout", "10s")
        if not re.fullmatch(r"0s|([5-9]|[1-4]\d|50)s", str(wait)):
            return _error(400, "INVALID_PARAMETER_VALUE", f"wait_timeout must be 0s or 5s..50s, got {wait}")
        sid = "01ef-" + uuid.uuid4().hex
        st = Statement(sid, body["statement"], body.get("parameters") or [], self.pending_polls, self.hang)
        self.statements[sid] = st
        if not st.hang and st.polls_left == 0:
            await self._run(st)
        return web.json_response(self._response(st))

    async def get_statement(self, request: web.Request) -> web.Response:
        st = self.statements.get(request.match_info["sid"])
        if st is None:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", "No such statement.")
        if st.state in ("PENDING", "RUNNING") and not st.hang:
            if st.polls_left > 0:
                st.polls_left -= 1
                st.state = "PENDING" if self.warehouse_state != "RUNNING" else "RUNNING"
            else:
                await self._run(st)
        elif st.hang and st.state == "PENDING":
            st.state = "RUNNING"
        return web.json_response(self._response(st))

    async def get_chunk(self, request: web.Request) -> web.Response:
        st = self.statements.get(request.match_info["sid"])
        n = int(request.match_info["n"])
        if st is None or st.state != "SUCCEEDED" or not 0 <= n < len(st.chunks):
            return _error(404, "RESOURCE_DOES_NOT_EXIST", "No such chunk.")
        return web.json_response(st.chunks[n])

    async def cancel(self, request: web.Request) -> web.Response:
        sid = request.match_info["sid"]
        self.cancelled.append(sid)
        st = self.statements.get(sid)
        if st is not None and st.state in ("PENDING", "RUNNING"):
            st.state = "CANCELED"
            st.response = None
        return web.json_response({})

    def _response(self, st: Statement) -> dict:
        if st.response is not None:
            out = {"statement_id": st.statement_id, **st.response}
            if st.state == "SUCCEEDED":
                out["result"] = st.chunks[0] if st.chunks else {"chunk_index": 0, "row_offset": 0, "row_count": 0}
            return out
        return {"statement_id": st.statement_id, "status": {"state": st.state}}

    async def _run(self, st: Statement) -> None:
        denied = system_schemas(st.sql) & self.denied_schemas
        if denied:
            schema = sorted(denied)[0]
            return self._fail(
                st,
                "BAD_REQUEST",
                f"[INSUFFICIENT_PERMISSIONS] Insufficient privileges:\nUser does not have USE SCHEMA on Schema "
                f"'system.{schema}'. SQLSTATE: 42501",
            )
        try:
            duck_sql = to_duckdb(st.sql)
            used = set(re.findall(r"\$([A-Za-z_]\w*)", duck_sql))
            given = {p["name"]: parameter(p) for p in st.parameters}
            missing = used - set(given)
            if missing:
                return self._fail(st, "BAD_REQUEST", f"[UNBOUND_SQL_PARAMETER] Found the unbound parameter: {sorted(missing)[0]}.")
            cursor = self.conn.cursor()
            cursor.execute("SET TimeZone = 'UTC'")
            cursor.execute(duck_sql, {k: v for k, v in given.items() if k in used})
            description = cursor.description or []
            rows = cursor.fetchall()
        except (QoptError, duckdb.Error) as exc:
            return self._fail(st, "BAD_REQUEST", f"[EMULATED_ERROR] {exc}")
        columns = [{"name": d[0], "position": i, **databricks_type(str(d[1]))} for i, d in enumerate(description)]
        for c in columns:
            if c.get("type_name") is None:
                c.pop("type_name")
        data = [[cell(v) for v in row] for row in rows]
        size = self.chunk_size
        pieces = [data[i : i + size] for i in range(0, len(data), size)]
        chunks = []
        for index, piece in enumerate(pieces):
            chunk = {"chunk_index": index, "row_offset": index * size, "row_count": len(piece), "data_array": piece}
            if index + 1 < len(pieces):
                chunk["next_chunk_index"] = index + 1
                chunk["next_chunk_internal_link"] = f"/api/2.0/sql/statements/{st.statement_id}/result/chunks/{index + 1}"
            chunks.append(chunk)
        st.chunks = chunks
        st.state = "SUCCEEDED"
        st.response = {
            "status": {"state": "SUCCEEDED"},
            "manifest": {
                "format": "JSON_ARRAY",
                "schema": {"column_count": len(columns), "columns": columns},
                "total_row_count": len(data),
                "total_chunk_count": len(chunks),
                "chunks": [{k: c[k] for k in ("chunk_index", "row_offset", "row_count")} for c in chunks]
                or [{"chunk_index": 0, "row_offset": 0, "row_count": 0}],
                "truncated": False,
            },
        }

    def _fail(self, st: Statement, code: str, message: str) -> None:
        st.state = "FAILED"
        st.response = {"status": {"state": "FAILED", "error": {"error_code": code, "message": message}}}

    # -- other APIs -----------------------------------------------------------------------------------------------

    async def get_warehouse(self, request: web.Request) -> web.Response:
        wid = request.match_info["wid"]
        if wid != WAREHOUSE_ID:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Warehouse {wid} does not exist.")
        return web.json_response({"id": wid, "name": "qopt emulated", "state": self.warehouse_state, "cluster_size": "Small"})

    async def me(self, request: web.Request) -> web.Response:
        return web.json_response({"id": "42", "userName": PRINCIPAL, "displayName": "qopt bot"})

    async def get_space(self, request: web.Request) -> web.Response:
        space_id = request.match_info["space_id"]
        if space_id not in self.genie_spaces:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Genie space {space_id} does not exist.")
        return web.json_response({"space_id": space_id, "title": self.genie_spaces[space_id]})


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error_code": code, "message": message}, status=status)


async def wait_for(predicate, timeout: float = 5.0) -> None:
    """Poll a condition from a test without timed assertions on speed."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)
