"""A Databricks SQL warehouse as qopt's Warehouse, through the Statement Execution API of `databricks-sdk`.

The statement runs where the system tables live, so the heavy aggregation happens distributed in Databricks.
One call: `execute_statement` (named `:param` parameters with types, INLINE JSON_ARRAY, `wait_timeout` with
`on_wait_timeout=CONTINUE`, `query_tags` naming the skill) — then polling with backoff while it is PENDING or
RUNNING, cancelling it once `QOPT_QUERY_TIMEOUT_SECONDS` has passed (or when the caller gives up), then every
chunk of the result (`next_chunk_index`). Cells arrive as text and are converted by the manifest's `type_name`
(`qopt.warehouse.types`). The SDK is synchronous, so all of this runs in a small thread pool.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any

from qopt.config import Settings
from qopt.errors import ConfigError, QoptError, ServiceError, UsageError
from qopt.warehouse.base import Result
from qopt.warehouse.lists import expand_lists
from qopt.warehouse.types import convert_rows, type_name_of
from qopt.workspace import check_settings, sdk_error, workspace_client

log = logging.getLogger("qopt.warehouse.databricks")

QUERY_TAG_KEY = "qopt_skill"
_ACTIVE = ("PENDING", "RUNNING")
SYSTEM_SCHEMAS = ("query", "billing", "compute", "lakeflow")


class SystemTableDenied(ServiceError):
    """qopt's identity may not read a system schema; the message names the GRANT an admin must run."""

    def __init__(self, message: str, *, reason: str, grants: list[str]) -> None:
        super().__init__(message)
        self.reason = reason
        self.grants = grants


class DatabricksWarehouse:
    """Runs Databricks SQL on a SQL warehouse. Construction does no I/O; the client is built on first use."""

    name = "databricks"

    def __init__(
        self,
        client_factory: Callable[[], Any],
        warehouse_id: str,
        *,
        host: str = "",
        timeout_seconds: float = 120.0,
        wait_timeout_seconds: int = 10,
        poll_initial_seconds: float = 0.5,
        poll_max_seconds: float = 5.0,
        max_workers: int = 8,
    ) -> None:
        if not warehouse_id:
            raise ConfigError("QOPT_WAREHOUSE_ID: not set (the id of the SQL warehouse qopt runs its queries on)")
        self.warehouse_id = warehouse_id
        self.host = host
        self.timeout_seconds = timeout_seconds
        # The API accepts 0 or 5..50 seconds.
        self.wait_timeout = "0s" if wait_timeout_seconds < 5 else f"{min(50, int(wait_timeout_seconds))}s"
        self.poll_initial_seconds = poll_initial_seconds
        self.poll_max_seconds = poll_max_seconds
        self._factory = client_factory
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._principal: str | None = None
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="qopt-dbsql")

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> "DatabricksWarehouse":
        check_settings(settings)
        return cls(
            lambda: workspace_client(settings),
            settings.warehouse_id or "",
            host=(settings.databricks_host or "").strip(),
            timeout_seconds=settings.query_timeout_seconds,
            **kwargs,
        )

    # -- the Warehouse protocol -----------------------------------------------------------------------------------

    async def query(self, sql: str, params: Mapping[str, Any] | None = None, *, tag: str | None = None) -> Result:
        cancel = threading.Event()
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # the request's progress reporter travels to the worker thread
        future = loop.run_in_executor(self._executor, context.run, self.execute, sql, params, tag, cancel, loop)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            cancel.set()  # the polling thread cancels the statement on Databricks
            raise

    async def ping(self) -> None:
        await self.query("SELECT 1", tag="ping")

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # -- the work, in a worker thread -----------------------------------------------------------------------------

    def client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._client = self._factory()
            return self._client

    def execute(
        self,
        sql: str,
        params: Mapping[str, Any] | None = None,
        tag: str | None = None,
        cancel: threading.Event | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> Result:
        """Synchronous form: run, wait, fetch every chunk, convert. `IN (:list)` parameters are expanded first."""
        from databricks.sdk.service.sql import (
            Disposition,
            ExecuteStatementRequestOnWaitTimeout,
            Format,
            QueryTag,
        )

        cancel = cancel or threading.Event()
        sql, params = expand_lists(sql, params)
        parameters = statement_parameters(sql, params)
        started = time.monotonic()
        deadline = started + self.timeout_seconds
        try:
            api = self.client().statement_execution
            response = api.execute_statement(
                statement=sql,
                warehouse_id=self.warehouse_id,
                parameters=parameters or None,
                wait_timeout=self.wait_timeout,
                on_wait_timeout=ExecuteStatementRequestOnWaitTimeout.CONTINUE,
                disposition=Disposition.INLINE,
                format=Format.JSON_ARRAY,
                query_tags=[QueryTag(key=QUERY_TAG_KEY, value=tag)] if tag else None,
            )
        except QoptError:
            raise
        except Exception as exc:  # noqa: BLE001 - SDK and HTTP errors become one line
            raise self._error(exc) from None
        statement_id = response.statement_id
        delay = self.poll_initial_seconds
        announced = False
        try:
            while _state(response) in _ACTIVE:
                now = time.monotonic()
                if cancel.is_set():
                    self._cancel(statement_id)
                    raise ServiceError("The query was abandoned and cancelled on Databricks.")
                if now >= deadline:
                    self._cancel(statement_id)
                    raise ServiceError(self._timeout_text())
                if not announced and _state(response) == "PENDING":
                    announced = True
                    self._announce_if_starting(loop)
                cancel.wait(min(delay, max(0.0, deadline - now)))
                delay = min(delay * 2, self.poll_max_seconds)
                response = api.get_statement(statement_id)
            self._raise_unless_succeeded(response, sql)
            return self._result(api, response)
        except QoptError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None

    def _result(self, api: Any, response: Any) -> Result:
        manifest = response.manifest
        columns_info = list(manifest.schema.columns or []) if manifest and manifest.schema else []
        columns_info.sort(key=lambda c: c.position if c.position is not None else 0)
        columns = [c.name for c in columns_info]
        types = [type_name_of(c) for c in columns_info]
        chunk = response.result
        rows: list[tuple[Any, ...]] = []
        seen: set[int] = set()
        while chunk is not None:
            rows.extend(convert_rows(types, chunk.data_array))
            following = chunk.next_chunk_index
            if following is None or following in seen:
                break
            seen.add(following)
            chunk = api.get_statement_result_chunk_n(response.statement_id, following)
        if manifest is not None and manifest.truncated:
            log.warning("Databricks truncated the result of statement %s at %d rows", response.statement_id, len(rows))
        return Result(columns, rows)

    def _raise_unless_succeeded(self, response: Any, sql: str) -> None:
        state = _state(response)
        if state == "SUCCEEDED":
            return
        error = getattr(response.status, "error", None)
        message = _one_line(getattr(error, "message", None) or "")
        code = getattr(getattr(error, "error_code", None), "value", None) or ""
        if state == "FAILED":
            if is_permission_denied(code, message):
                raise self.denied(sql, message)
            raise ServiceError(f"Databricks could not run the query: {message or code or 'no message'}")
        raise ServiceError(f"The query was {state.lower() or 'stopped'} on Databricks{': ' + message if message else ''}.")

    def _cancel(self, statement_id: str) -> None:
        try:
            self.client().statement_execution.cancel_execution(statement_id)
        except Exception:  # noqa: BLE001 - best effort: the statement times out on its own
            log.warning("could not cancel statement %s", statement_id)

    def _warehouse_state(self) -> str:
        try:
            info = self.client().warehouses.get(self.warehouse_id)
        except Exception:  # noqa: BLE001 - only used to explain a wait
            return ""
        state = getattr(info, "state", None)
        return str(getattr(state, "value", state) or "")

    def _announce_if_starting(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """A statement still PENDING after `wait_timeout` usually waits for the warehouse: tell the user."""
        state = self._warehouse_state()
        if state not in ("STARTING", "STOPPED", "STOPPING"):
            return
        text = "The SQL warehouse is starting (this can take a few minutes); I'll answer when it is ready."
        log.info(text)
        if loop is None:
            return
        try:
            from qopt.bot.progress import report
        except ImportError:  # pragma: no cover - progress reporting is optional
            return
        asyncio.run_coroutine_threadsafe(report(text), loop)

    def _timeout_text(self) -> str:
        state = self._warehouse_state()
        if state in ("STARTING", "STOPPED", "STOPPING"):
            return (
                f"The SQL warehouse {self.warehouse_id} is still starting after {self.timeout_seconds:g} s; "
                "the query was cancelled: ask again in a few minutes."
            )
        return (
            f"The query took longer than {self.timeout_seconds:g} s on Databricks and was cancelled "
            "(raise QOPT_QUERY_TIMEOUT_SECONDS or use a bigger warehouse)."
        )

    def _error(self, exc: BaseException) -> QoptError:
        from databricks.sdk.errors import NotFound

        if isinstance(exc, NotFound) and self.warehouse_id in str(exc):
            return ConfigError(f"QOPT_WAREHOUSE_ID: no SQL warehouse {self.warehouse_id} in this workspace ({_one_line(str(exc))})")
        return sdk_error(exc, host=self.host, what="Databricks")

    def principal(self) -> str:
        """Who qopt runs as (user name or service principal application id), for GRANT statements."""
        if self._principal is None:
            try:
                me = self.client().current_user.me()
                self._principal = me.user_name or me.display_name or ""
            except Exception:  # noqa: BLE001
                self._principal = ""
        return self._principal or "<qopt's user or service principal>"

    def denied(self, sql: str, message: str) -> SystemTableDenied:
        schemas = system_schemas(sql) or list(SYSTEM_SCHEMAS)
        names = ", ".join(f"system.{s}" for s in schemas)
        grants = grant_statements(schemas, self.principal())
        reason = f"qopt may not read {names} ({message})"
        return SystemTableDenied(f"{reason}. An admin must run: {'; '.join(grants)}", reason=reason, grants=grants)


def grant_statements(schemas: list[str], principal: str) -> list[str]:
    """What an admin runs so `principal` may read the given `system.<schema>` schemas."""
    grants = [f"GRANT USE CATALOG ON CATALOG system TO `{principal}`"]
    grants += [f"GRANT USE SCHEMA, SELECT ON SCHEMA system.{s} TO `{principal}`" for s in schemas]
    return grants


def is_permission_denied(code: str, message: str) -> bool:
    text = f"{code} {message}".upper()
    return any(m in text for m in ("PERMISSION_DENIED", "INSUFFICIENT_PERMISSIONS", "SQLSTATE: 42501")) or bool(
        re.search(r"does not have \w+( \w+)? (privilege|permission)?\s*on", message, re.I)
    )


@lru_cache(maxsize=256)
def system_schemas(sql: str) -> list[str]:
    """The `system.<schema>` names a statement reads, in order of first use."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="databricks")
    except Exception:  # noqa: BLE001
        return [s for s in SYSTEM_SCHEMAS if f"system.{s}." in sql.lower()]
    found: list[str] = []
    for table in tree.find_all(exp.Table):
        if table.catalog.lower() == "system" and table.db.lower() not in found:
            found.append(table.db.lower())
    return found


@lru_cache(maxsize=1024)
def _markers(sql: str) -> frozenset[str]:
    """Names of the `:name` markers in a statement (Databricks refuses values for absent names)."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="databricks")
    except Exception:  # noqa: BLE001 - let Databricks report the syntax error
        return frozenset(re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", sql))
    return frozenset(p.name for p in tree.find_all(exp.Placeholder) if p.name)


def statement_parameters(sql: str, params: Mapping[str, Any] | None) -> list[Any]:
    """`StatementParameterListItem`s for the markers the statement uses, typed from the Python values."""
    from databricks.sdk.service.sql import StatementParameterListItem

    used = _markers(sql)
    items = []
    for name, value in (params or {}).items():
        if name not in used:
            continue
        text, type_name = parameter_value(value)
        items.append(StatementParameterListItem(name=name, value=text, type=type_name))
    return items


def parameter_value(value: Any) -> tuple[str | None, str | None]:
    """(text, Databricks type) of one parameter value. NULL has no value (and no type: it is a NULL string)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return ("true" if value else "false"), "BOOLEAN"
    if isinstance(value, int):
        return str(value), "BIGINT"
    if isinstance(value, float):
        return repr(value), "DOUBLE"
    if isinstance(value, Decimal):
        sign, digits, exponent = value.as_tuple()
        scale = max(0, -int(exponent))
        precision = max(len(digits), scale, 1)
        if precision > 38:
            return repr(float(value)), "DOUBLE"
        return format(value, "f"), f"DECIMAL({precision},{scale})"
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "TIMESTAMP"
    if isinstance(value, date):
        return value.isoformat(), "DATE"
    if isinstance(value, str):
        return value, "STRING"
    raise UsageError(f"A query parameter must be a single value, not {type(value).__name__}.")


def _state(response: Any) -> str:
    status = getattr(response, "status", None)
    state = getattr(status, "state", None)
    return str(getattr(state, "value", state) or "")


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]
