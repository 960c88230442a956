"""`qopt doctor`'s checks: is everything qopt needs configured and reachable, and if not, what fixes it.

Each check returns a `Check` (ok, failed or skipped) with a one-line detail and, when it failed, the fix. Checks
that need an earlier one (the system tables need a warehouse) are skipped when it failed. Nothing here prints a
secret: details name settings, hosts and identities only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from qopt.config import Settings
from qopt.errors import QoptError
from qopt.warehouse.base import Warehouse

Status = Literal["ok", "fail", "skip"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, "fail", detail, fix)


def skip(name: str, detail: str) -> Check:
    return Check(name, "skip", detail)


def _text(exc: BaseException) -> str:
    text = str(exc).strip()
    return " ".join(text.split())[:400] if text else type(exc).__name__


# --- the warehouse -----------------------------------------------------------------------------------------------


async def _databricks_identity(settings: Settings) -> tuple[list[Check], Any]:
    """Connectivity and the SQL warehouse: (checks, workspace client or None)."""
    from qopt.workspace import CREDENTIALS_HELP, check_settings, sdk_error, workspace_client

    try:
        check_settings(settings)
    except QoptError as exc:
        return [fail("Databricks settings", _text(exc), f"Set DATABRICKS_HOST and credentials ({CREDENTIALS_HELP}).")], None
    host = (settings.databricks_host or "").strip()
    try:
        client = await asyncio.to_thread(workspace_client, settings)
        me = await asyncio.to_thread(lambda: client.current_user.me())
    except Exception as exc:  # noqa: BLE001 - every failure becomes a line with a fix
        err = sdk_error(exc, host=host)
        fix = (
            f"Check the credentials: {CREDENTIALS_HELP} (a token of a user or service principal in this workspace)."
            if err.exit_code == 2
            else "Check DATABRICKS_HOST (the workspace URL) and that this machine can reach it over HTTPS."
        )
        return [fail("Databricks connection", _text(err), fix)], None
    who = me.user_name or me.display_name or "unknown"
    checks = [ok("Databricks connection", f"signed in to {host} as {who}")]
    if not settings.warehouse_id:
        checks.append(fail("SQL warehouse", "QOPT_WAREHOUSE_ID is not set",
                           "Set QOPT_WAREHOUSE_ID to the id of a SQL warehouse (SQL Warehouses → the warehouse → Overview)."))
        return checks, None
    try:
        info = await asyncio.to_thread(lambda: client.warehouses.get(settings.warehouse_id))
    except Exception as exc:  # noqa: BLE001
        from databricks.sdk.errors import NotFound, PermissionDenied

        if isinstance(exc, NotFound):
            fix = "Set QOPT_WAREHOUSE_ID to an existing SQL warehouse id (SQL Warehouses → the warehouse → Overview)."
        elif isinstance(exc, PermissionDenied):
            fix = f"Give {who} the CAN USE permission on the SQL warehouse (SQL Warehouses → Permissions)."
        else:
            fix = "Try again; if it persists, check the workspace status."
        checks.append(fail("SQL warehouse", _text(sdk_error(exc, host=host)), fix))
        return checks, None
    state = str(getattr(info.state, "value", info.state) or "unknown")
    note = " (starts on the first query)" if state in ("STOPPED", "STOPPING") else ""
    size = f", {info.cluster_size}" if getattr(info, "cluster_size", None) else ""
    checks.append(ok("SQL warehouse", f"{info.name or settings.warehouse_id} is {state}{size}{note}"))
    return checks, client


async def _system_tables(settings: Settings, warehouse: Warehouse) -> list[Check]:
    """`SELECT * FROM system.<schema>.<table> LIMIT 0` for each table qopt reads."""
    from qopt.warehouse.duckdb import REQUIRED_TABLES

    async def one(table: str) -> Check:
        name = f"system.{table}"
        try:
            await warehouse.query(f"SELECT * FROM {name} LIMIT 0", tag="doctor")
        except QoptError as exc:
            from qopt.warehouse.databricks import SystemTableDenied

            if isinstance(exc, SystemTableDenied):
                return fail(name, exc.reason, "An admin runs: " + "; ".join(exc.grants))
            if settings.warehouse == "databricks":
                return fail(name, _text(exc), "Fix the warehouse error above, then run `qopt doctor` again.")
            return fail(name, _text(exc), "Recreate the embedded warehouse with `qopt demo-data`.")
        return ok(name, "readable")

    return list(await asyncio.gather(*(one(t) for t in REQUIRED_TABLES)))


async def warehouse_checks(settings: Settings) -> list[Check]:
    if settings.warehouse == "duckdb":
        from qopt.warehouse.duckdb import DuckDBWarehouse

        path = settings.resolved_duckdb_path
        try:
            warehouse: Warehouse = DuckDBWarehouse(path)
        except QoptError as exc:
            return [fail("embedded warehouse", _text(exc), "Run `qopt demo-data` (or set QOPT_DUCKDB_PATH to an existing file).")]
        try:
            return [ok("embedded warehouse", f"DuckDB file {path}"), *await _system_tables(settings, warehouse)]
        finally:
            await warehouse.close()

    from qopt.warehouse.databricks import DatabricksWarehouse

    checks, client = await _databricks_identity(settings)
    if client is None:
        return checks + [skip("system tables", "need a working connection and SQL warehouse")]
    warehouse = DatabricksWarehouse(lambda: client, settings.warehouse_id or "", host=settings.databricks_host or "",
                                    timeout_seconds=settings.query_timeout_seconds)
    try:
        return checks + await _system_tables(settings, warehouse)
    finally:
        await warehouse.close()


# --- Genie, chat platforms, state --------------------------------------------------------------------------------


async def genie_check(settings: Settings) -> Check:
    name = "Genie space"
    if not settings.genie_space_id:
        return skip(name, "QOPT_GENIE_SPACE_ID not set: questions get offline answers")
    from qopt.workspace import sdk_error, workspace_client

    try:
        client = await asyncio.to_thread(workspace_client, settings)
        space = await asyncio.to_thread(lambda: client.genie.get_space(settings.genie_space_id))
    except Exception as exc:  # noqa: BLE001
        from databricks.sdk.errors import NotFound, PermissionDenied

        if isinstance(exc, (NotFound, PermissionDenied)):
            fix = "Set QOPT_GENIE_SPACE_ID to a space qopt's identity can run (Genie → the space → Share: CAN RUN)."
        else:
            fix = "Fix the Databricks connection first (see above)."
        return fail(name, _text(sdk_error(exc, host=settings.databricks_host or "", what="Genie")), fix)
    return ok(name, f"{space.title or settings.genie_space_id} ({settings.genie_space_id})")


async def slack_check(settings: Settings) -> Check:
    name = "Slack"
    if not settings.slack_bot_token:
        return skip(name, "SLACK_BOT_TOKEN not set: Slack is off")
    if not (settings.slack_signing_secret or settings.slack_app_token):
        return fail(name, "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN",
                    "Set SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode), from the Slack app's settings.")
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    base = settings.slack_api_url or "https://slack.com/api/"
    client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(), base_url=base.rstrip("/") + "/", timeout=10)
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "error") if exc.response is not None else "error"
        return fail(name, f"auth.test refused the bot token ({error})",
                    "Set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-…), and reinstall the app if it was revoked.")
    except Exception as exc:  # noqa: BLE001 - network trouble
        return fail(name, f"cannot reach the Slack Web API ({type(exc).__name__})",
                    "Check the network (or QOPT_SLACK_API_URL).")
    mode = "Socket Mode" if settings.slack_app_token else "HTTP events"
    return ok(name, f"bot {answer.get('user', '?')} in {answer.get('team', '?')} ({mode})")


def teams_check(settings: Settings) -> Check:
    name = "Teams"
    if not settings.teams_app_id:
        return skip(name, "QOPT_TEAMS_APP_ID not set: local unauthenticated mode (loopback only)")
    if not settings.teams_app_password:
        return fail(name, "QOPT_TEAMS_APP_ID is set but QOPT_TEAMS_APP_PASSWORD is not",
                    "Set QOPT_TEAMS_APP_PASSWORD to a client secret of the Azure Bot's app registration.")
    tenant = settings.teams_tenant_id or "multi-tenant"
    return ok(name, f"app {settings.teams_app_id} ({tenant})")


async def state_check(settings: Settings) -> Check:
    name = "state store"
    try:
        from qopt.state import open_state
    except ImportError:  # pragma: no cover - the state store is optional in a trimmed install
        return skip(name, "qopt.state is not installed")
    url = settings.resolved_state_url
    kind = "PostgreSQL" if url.lower().startswith(("postgres", "postgresql")) else "SQLite"
    try:
        store = open_state(url)
        try:
            await store.kv_put("doctor", "probe", {"ok": True}, ttl_seconds=60)
            value = await store.kv_get("doctor", "probe")
            await store.kv_delete("doctor", "probe")
        finally:
            await store.close()
    except Exception as exc:  # noqa: BLE001
        return fail(name, f"{kind}: {_text(exc)}", "Check QOPT_STATE_URL (a writable file path, sqlite:///path or postgresql://…).")
    if value != {"ok": True}:
        return fail(name, f"{kind}: a value written was not read back", "Check QOPT_STATE_URL.")
    return ok(name, f"{kind} read/write")


# --- all of them -------------------------------------------------------------------------------------------------


async def run_checks(load: Callable[[], Settings]) -> list[Check]:
    """Every check, in checklist order. `load` reads the settings (its error is the first failed check)."""
    try:
        settings = load()
    except QoptError as exc:
        return [fail("settings", _text(exc), "Fix the variable named (environment or .env); see the README's settings table.")]
    checks = [ok("settings", f"warehouse={settings.warehouse}, data dir {settings.data_dir}")]
    parts: list[Awaitable[Any]] = [warehouse_checks(settings), genie_check(settings), slack_check(settings), state_check(settings)]
    results = await asyncio.gather(*parts)
    checks += results[0]
    checks += [results[1], results[2], teams_check(settings), results[3]]
    return checks
