"""`qopt doctor` against the Statement Execution emulator and a fake Slack Web API, in-process and as a command."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from qopt.checks import Check, run_checks
from qopt.cli.doctor import render
from qopt.warehouse.duckdb import REQUIRED_TABLES
from tests.databricks.emulator import PRINCIPAL, TOKEN, WAREHOUSE_ID

QOPT = Path(sys.executable).parent / "qopt"
SLACK_TOKEN = "xoxb-good"


@pytest.fixture
async def slack_api() -> AsyncIterator[str]:
    async def auth_test(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {SLACK_TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, "user": "qopt", "team": "Acme", "user_id": "U1", "team_id": "T1"})

    app = web.Application()
    app.router.add_post("/api/auth.test", auth_test)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/api/"
    finally:
        await runner.cleanup()


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


@pytest.fixture
def full_settings(make_settings, slack_api):
    def make(**overrides):
        values = dict(
            genie_space_id="space-cost", slack_bot_token=SLACK_TOKEN, slack_signing_secret="s3cret",
            slack_api_url=slack_api, teams_app_id="app-1", teams_app_password="pw", teams_tenant_id="tenant-1",
        )
        values.update(overrides)
        return make_settings(**values)

    return make


async def test_everything_configured(full_settings):
    checks = await run_checks(lambda: full_settings())
    assert all(c.status == "ok" for c in checks), render(checks)
    names = by_name(checks)
    assert {f"system.{t}" for t in REQUIRED_TABLES} <= set(names)
    assert PRINCIPAL in names["Databricks connection"].detail
    assert "RUNNING" in names["SQL warehouse"].detail
    assert "Cost and usage" in names["Genie space"].detail
    assert "Acme" in names["Slack"].detail
    assert names["state store"].detail == "SQLite read/write"


async def test_denied_schema_names_the_grant(full_settings, emulator):
    emulator.denied_schemas = {"billing"}
    checks = await run_checks(lambda: full_settings())
    failed = [c for c in checks if c.status == "fail"]
    assert {c.name for c in failed} == {"system.billing.usage", "system.billing.list_prices"}
    for c in failed:
        assert c.fix == (f"An admin runs: GRANT USE CATALOG ON CATALOG system TO `{PRINCIPAL}`; "
                         f"GRANT USE SCHEMA, SELECT ON SCHEMA system.billing TO `{PRINCIPAL}`")
    text = render(checks)
    assert "2 checks failed." in text and "fix: An admin runs: GRANT" in text


async def test_bad_token_skips_the_tables(full_settings, emulator):
    checks = by_name(await run_checks(lambda: full_settings(databricks_token="dapi-wrong")))
    assert checks["Databricks connection"].status == "fail"
    assert "DATABRICKS_TOKEN" in checks["Databricks connection"].fix
    assert checks["system tables"].status == "skip"
    assert checks["Genie space"].status == "fail"
    assert "dapi-wrong" not in json.dumps([c.as_dict() for c in checks.values()])


async def test_unknown_warehouse_and_space(full_settings):
    checks = by_name(await run_checks(lambda: full_settings(warehouse_id="nope", genie_space_id="nope")))
    assert checks["SQL warehouse"].status == "fail" and "QOPT_WAREHOUSE_ID" in checks["SQL warehouse"].fix
    assert checks["Genie space"].status == "fail" and "QOPT_GENIE_SPACE_ID" in checks["Genie space"].fix


async def test_slack_and_teams_problems(full_settings):
    checks = by_name(await run_checks(lambda: full_settings(slack_bot_token="xoxb-revoked", teams_app_password=None)))
    assert checks["Slack"].status == "fail" and "invalid_auth" in checks["Slack"].detail
    assert checks["Teams"].status == "fail" and "QOPT_TEAMS_APP_PASSWORD" in checks["Teams"].fix
    missing_secret = by_name(await run_checks(lambda: full_settings(slack_signing_secret=None)))
    assert missing_secret["Slack"].status == "fail" and "SLACK_SIGNING_SECRET" in missing_secret["Slack"].fix


async def test_optional_services_off_are_skipped(make_settings):
    checks = by_name(await run_checks(lambda: make_settings()))
    assert [checks[n].status for n in ("Genie space", "Slack", "Teams")] == ["skip", "skip", "skip"]
    assert not any(c.status == "fail" for c in checks.values())


async def test_bad_state_url(make_settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    checks = by_name(await run_checks(lambda: make_settings(state_url=f"sqlite:///{blocker}/state.sqlite")))
    assert checks["state store"].status == "fail" and "QOPT_STATE_URL" in checks["state store"].fix


async def test_embedded_warehouse(tmp_path, warehouse_file):
    from qopt.config import load_settings

    good = by_name(await run_checks(lambda: load_settings(duckdb_path=warehouse_file, data_dir=tmp_path)))
    assert good["embedded warehouse"].status == "ok" and good["system.query.history"].status == "ok"
    missing = by_name(await run_checks(lambda: load_settings(duckdb_path=tmp_path / "none.duckdb", data_dir=tmp_path)))
    assert missing["embedded warehouse"].status == "fail" and "qopt demo-data" in missing["embedded warehouse"].fix


async def test_bad_setting_is_the_first_failure(monkeypatch):
    from qopt.config import load_settings

    monkeypatch.setenv("QOPT_WAREHOUSE", "oracle")
    checks = await run_checks(load_settings)
    assert [c.status for c in checks] == ["fail"] and "QOPT_WAREHOUSE" in checks[0].detail


async def _doctor(tmp_path: Path, env_extra: dict[str, str], *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QOPT_", "DATABRICKS_", "SLACK_"))}
    env.update(QOPT_DATA_DIR=str(tmp_path / "data"), DATABRICKS_CONFIG_FILE=str(tmp_path / "nocfg"), **env_extra)
    proc = await asyncio.create_subprocess_exec(
        str(QOPT), "doctor", *args, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode(), err.decode()


async def test_cli_doctor(tmp_path, emulator):
    env = {"QOPT_WAREHOUSE": "databricks", "DATABRICKS_HOST": emulator.host, "DATABRICKS_TOKEN": TOKEN,
           "QOPT_WAREHOUSE_ID": WAREHOUSE_ID}
    emulator.denied_schemas = {"lakeflow"}
    code, out, err = await _doctor(tmp_path, env)
    assert code == 1, out + err
    assert out.startswith("qopt doctor\n") and out.rstrip().endswith("2 checks failed.")
    assert "[ok]   system.query.history" in out and "[FAIL] system.lakeflow.jobs" in out
    assert "fix: An admin runs: GRANT USE CATALOG ON CATALOG system" in out
    assert TOKEN not in out + err and err == ""


async def test_cli_sql_through_databricks(tmp_path, emulator):
    env = {"QOPT_WAREHOUSE": "databricks", "DATABRICKS_HOST": emulator.host, "DATABRICKS_TOKEN": TOKEN,
           "QOPT_WAREHOUSE_ID": WAREHOUSE_ID}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QOPT_", "DATABRICKS_", "SLACK_"))} | env | {
        "QOPT_DATA_DIR": str(tmp_path / "data"), "DATABRICKS_CONFIG_FILE": str(tmp_path / "nocfg")}
    proc = await asyncio.create_subprocess_exec(
        str(QOPT), "sql", "SELECT executed_by, count(*) AS n FROM system.query.history GROUP BY ALL ORDER BY 1",
        "--format", "json", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    from tests.databricks.conftest import query_rows

    counts: dict[str, int] = {}
    for row in query_rows():
        counts[row[1]] = counts.get(row[1], 0) + 1
    assert json.loads(out) == {"columns": ["executed_by", "n"], "rows": [[u, n] for u, n in sorted(counts.items())]}
    tags = [r[2]["query_tags"] for r in emulator.requests if r[0] == "POST" and r[1].startswith("/api/2.0/sql/statements")]
    assert tags == [[{"key": "qopt_skill", "value": "cli.sql"}]]
