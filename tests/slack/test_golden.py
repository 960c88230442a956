"""Golden Block Kit JSON for each skill's reply on a small demo warehouse, with a fixed clock.

Regenerate after an intended change of a reply or of the renderer:

    QOPT_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/slack/test_golden.py

and review the diff of tests/slack/golden/*.json like code.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from adapters.slack.blocks import render_message
from qopt.app import Bot
from qopt.bot import format as fmt
from qopt.bot.reply import Table
from qopt.bot.request import Identity, Place
from qopt.demo.generator import generate
from qopt.state import open_state
from qopt.warehouse.duckdb import DuckDBWarehouse
from tests.slack.conftest import check_limits_of, slack_settings

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("QOPT_UPDATE_GOLDEN") == "1"
END = date(2026, 3, 8)
NOW = datetime(2026, 3, 9, 0, 0, tzinfo=timezone.utc)
USER = Identity(user_id="UANA0001", email="ana@example.com", name="Ana")
PLACE = Place(platform="slack", team_id="T1", channel_id="D1", thread_id="1.1", is_dm=True)

MESSAGES = {
    "help": "help",
    "help_top": "help top",
    "top": "top --days 7 --limit 5",
    "top_each": "top --days 7 --limit 3 --each",
    "cost": "cost --days 7",
    "cost_by_warehouse": "cost --days 7 --by warehouse",
    "cost_by_day": "cost --days 7 --by day",
    "ask_offline": "who spent the most this week?",
    "optimize_text": "optimize SELECT * FROM main.sales.orders WHERE year(order_date) = 2024",
    "recommend": "recommend --days 7 --limit 3",
    "digest_status": "digest status",
    "alert_list": "alert list",
}


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    """A small demo warehouse written by the real generator (fixed seed and end: the same data every run)."""
    path = tmp_path_factory.mktemp("golden") / "warehouse.duckdb"
    generate(path, days=14, queries=3000, seed=7, end=END)
    return path


@pytest.fixture
async def bot(demo_path, tmp_path):
    settings = slack_settings(tmp_path, "http://127.0.0.1:9/api/", duckdb_path=demo_path)
    b = Bot(settings, warehouse=DuckDBWarehouse(demo_path), clock=lambda: NOW, state=open_state("sqlite://"))
    yield b
    await b.close()


def _compare(name: str, message: dict) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(message, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"no golden {path.name}: run with QOPT_UPDATE_GOLDEN=1 to write it")
        path.write_text(text)
        return
    assert json.loads(path.read_text()) == message, f"{path.name} differs (QOPT_UPDATE_GOLDEN=1 to accept)"


def _check_table(reply, message) -> None:
    """The Slack table shows exactly the reply's first table, formatted like every other front end."""
    tables = [b for b in reply.blocks if isinstance(b, Table)]
    slack_tables = [b for b in message["blocks"] if b["type"] == "table"]
    if not tables or not tables[0].rows:
        return
    table, (slack,) = tables[0], slack_tables
    header = [c["elements"][0]["elements"][0]["text"] for c in slack["rows"][0]]
    assert header == table.columns
    for row, cells in zip(table.rows, slack["rows"][1:]):
        expected = [" ".join(fmt.value(v, table.units.get(c)).split()) or "–" for c, v in zip(table.columns, row)]
        assert [c["text"] for c in cells] == expected


@pytest.mark.parametrize("name", sorted(MESSAGES))
async def test_golden_block_kit(bot, name):
    reply = await bot.handle(MESSAGES[name], USER, PLACE)
    message = render_message(reply, source=MESSAGES[name].split()[0])
    check_limits_of(message)
    _check_table(reply, message)
    _compare(name, message)


async def test_golden_query_details_and_sql(bot):
    top = await bot.handle("top --days 7 --limit 1", USER, PLACE)
    rendered = render_message(top, source="top")
    details = [e for b in rendered["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["text"]["text"].startswith("Details")]
    assert details, "top offers a Details button"
    statement_id = details[0]["value"]
    assert re.fullmatch(r"[0-9a-f-]{8,}", statement_id)
    for name, text in (("query", f"query {statement_id}"), ("query_sql", f"query {statement_id} --sql"),
                       ("optimize", f"optimize {statement_id}")):
        reply = await bot.handle(text, USER, PLACE)
        message = render_message(reply, source=text.split()[0])
        check_limits_of(message)
        _compare(name, message)
