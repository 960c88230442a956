"""Every skill gives the same reply on the embedded DuckDB warehouse and on Databricks (the emulator) for the same data.

Two bots over the small fixed-seed demo warehouse, at the same fixed clock: one reads the DuckDB file directly,
the other goes through `DatabricksWarehouse` → the real `databricks-sdk` → HTTP → the Statement Execution emulator
→ the same file (results in many chunks, every cell as text and converted back by type). The messages are each
skill's own examples plus a list of common questions; whichever skills exist are covered. Each bot has its own
state store, so skills that write state (alerts, digests) start from the same empty state on both sides.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import duckdb
import pytest

from qopt.app import Bot, local_identity
from qopt.bot.request import Place
from qopt.config import load_settings
from qopt.warehouse.databricks import DatabricksWarehouse
from qopt.warehouse.duckdb import DuckDBWarehouse
from tests.conftest import DEMO_NOW
from tests.databricks.conftest import FAST
from tests.databricks.emulator import TOKEN, WAREHOUSE_ID, Emulator

# Common questions; "{statement_id}" becomes a real statement of the demo warehouse.
MESSAGES = [
    "top --days 7", "top --days 7 --by duration", "top --days 14 --by runs --limit 10", "top --each --limit 5",
    "cost", "cost --by user", "cost --by sku", "cost --by warehouse", "cost --by workspace", "cost --by product",
    "cost --days 30", "query {statement_id}", "query no-such-statement", "recommend", "help",
]
CORE = ("top", "cost", "query")  # these must answer without error on both sides


def _messages(statement_id: str) -> list[str]:
    from skills import all_skills

    skills = all_skills()
    words = {w: s.name for s in skills for w in (s.name, *s.aliases)}
    chosen: list[str] = []
    for text in MESSAGES + [e for s in skills for e in s.examples]:
        text = text.replace("{statement_id}", statement_id)
        if text.split()[0] in words and text not in chosen:
            chosen.append(text)
    return chosen


def _statement_id(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(
            "SELECT statement_id FROM query.history WHERE execution_status = 'FINISHED' "
            "ORDER BY total_task_duration_ms DESC, statement_id LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert row, "the demo warehouse has no finished statement"
    return row[0]


@pytest.fixture
async def bots(demo_warehouse_path: Path, tmp_path: Path) -> AsyncIterator[tuple[Bot, Bot, Emulator]]:
    emulator = Emulator(demo_warehouse_path, chunk_size=100)
    await emulator.start()
    # Rate limits run on the real clock: off here, so both bots answer every message.
    unlimited = dict(user_requests_per_minute=0, channel_requests_per_minute=0)
    local_settings = load_settings(data_dir=tmp_path / "local", duckdb_path=demo_warehouse_path,
                                   state_url=f"sqlite:///{tmp_path / 'local.sqlite'}", **unlimited)
    remote_settings = load_settings(
        data_dir=tmp_path / "remote", warehouse="databricks", databricks_host=emulator.host, databricks_token=TOKEN,
        warehouse_id=WAREHOUSE_ID, databricks_retry_timeout_seconds=5,
        state_url=f"sqlite:///{tmp_path / 'remote.sqlite'}", **unlimited,
    )
    local = Bot(local_settings, warehouse=DuckDBWarehouse(demo_warehouse_path), clock=lambda: DEMO_NOW)
    remote = Bot(remote_settings, warehouse=DatabricksWarehouse.from_settings(remote_settings, **FAST), clock=lambda: DEMO_NOW)
    try:
        yield local, remote, emulator
    finally:
        await local.close()
        await remote.close()
        await emulator.stop()


def _comparable(reply) -> dict:
    data = reply.model_dump(mode="json")
    data.pop("error_id", None)  # a random id per failure
    return data


async def test_every_skill_answers_the_same(bots, demo_warehouse_path):
    local, remote, emulator = bots
    statement_id = _statement_id(demo_warehouse_path)
    messages = _messages(statement_id)
    assert any(m.startswith("top") for m in messages) and any(m.startswith("query ") for m in messages)
    must_answer = {m.replace("{statement_id}", statement_id) for m in MESSAGES if m.split()[0] in CORE and "no-such" not in m}
    user = local_identity(None)
    place = Place(platform="shell", channel_id="cli")
    differences = []
    for text in messages:
        mine = await local.handle(text, user, place)
        theirs = await remote.handle(text, user, place)
        if text in must_answer:
            assert mine.ok, f"{text!r} failed on DuckDB: {mine.text}"
            assert theirs.ok, f"{text!r} failed through Databricks: {theirs.text}"
        if _comparable(mine) != _comparable(theirs):
            differences.append(text)
    assert differences == [], f"different replies for {differences}"
    # The remote side really went through the Statement Execution API, in several chunks.
    assert len(emulator.statements) >= len([m for m in messages if m.split()[0] in CORE])
    assert any("/result/chunks/" in r[1] for r in emulator.requests)
