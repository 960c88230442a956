"""Offline answers (no Genie space): common questions answered by qopt's own commands over the demo data."""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest

from qopt.app import Bot
from qopt.bot.reply import Context, Table
from qopt.bot.request import Identity, Place
from qopt.config import load_settings
from qopt.state import open_state
from qopt.warehouse.duckdb import DuckDBWarehouse
from qopt.workload import Window
from tests.conftest import DEMO_NOW

USER = Identity(user_id="ana.silva@example.com", email="ana.silva@example.com")
PLACE = Place(platform="shell", channel_id="shell", thread_id="s1", is_dm=True)


@pytest.fixture
async def bot(demo_warehouse_path):
    settings = load_settings()
    assert settings.genie_space_id is None and not settings.genie_spaces
    b = Bot(settings, warehouse=DuckDBWarehouse(demo_warehouse_path), clock=lambda: DEMO_NOW,
            state=open_state("sqlite://"))
    assert b.services.genie is None
    yield b
    await b.close()


def tables(reply):
    return [(b.columns, b.rows) for b in reply.blocks if isinstance(b, Table)]


def contexts(reply):
    return " ".join(b.text for b in reply.blocks if isinstance(b, Context))


@pytest.mark.parametrize(
    ("question", "command"),
    [
        ("who spent the most this week?", "cost --by user --days 7"),
        ("ask which warehouses cost the most?", "cost --by warehouse"),
        ("ask spend by day for the last 14 days", "cost --by day --days 14"),
        ("ask what are the slowest queries?", "top --by duration"),
    ],
)
async def test_common_questions_map_onto_commands(bot, question, command):
    reply = await bot.handle(question, USER, PLACE)
    direct = await bot.handle(command, USER, PLACE)
    assert reply.ok and direct.ok
    assert tables(reply) and tables(reply) == tables(direct)  # the same numbers as the command itself
    notes = contexts(reply)
    assert "Offline answer (no Genie space is configured)" in notes and f"`{command}`" in notes
    assert "QOPT_GENIE_SPACE_ID" in notes and "qopt genie-setup" in notes


async def test_why_is_a_query_expensive(bot):
    top = await bot.handle("top --days 14 --limit 1", USER, PLACE)
    columns, rows = tables(top)[0]
    fingerprint = rows[0][columns.index("fingerprint")]
    latest = rows[0][columns.index("last_statement_id")] if "last_statement_id" in columns else None
    reply = await bot.handle(f"why is {fingerprint} so expensive?", USER, PLACE)
    assert reply.ok, reply.text
    command = next(part for part in contexts(reply).split("`") if part.startswith("query "))
    if latest:
        assert command == f"query {latest}"
    direct = await bot.handle(command, USER, PLACE)
    assert direct.ok and tables(reply) == tables(direct)
    unknown = await bot.handle("why is 0123456789abcdef expensive?", USER, PLACE)
    assert "No recurring query with fingerprint `0123456789abcdef`" in unknown.text


async def test_failing_queries_are_counted_from_query_history(bot, demo_warehouse_path):
    reply = await bot.handle("ask which queries failed this week?", USER, PLACE)
    assert reply.ok and "Offline answer" in contexts(reply)
    (columns, rows), = tables(reply)
    assert columns[:4] == ["executed_by", "warehouse_id", "statement_type", "failures"]
    # Independent count, in Python, of the raw rows.
    window = Window.last_days(DEMO_NOW, 7)
    conn = duckdb.connect(str(demo_warehouse_path), read_only=True)
    raw = conn.execute(
        "SELECT executed_by, compute.warehouse_id, statement_type, start_time, execution_status FROM query.history"
    ).fetchall()
    conn.close()
    counts = Counter((u, w, t) for u, w, t, start, status in raw
                     if status == "FAILED" and window.start <= start < window.end)
    assert counts, "the demo data has failures"
    shown = {(r[0], r[1], r[2]): r[3] for r in rows}
    assert all(counts[key] == n for key, n in shown.items())
    assert sorted(shown.values(), reverse=True) == sorted(counts.values(), reverse=True)[: len(shown)]
    assert f"{sum(shown.values()):,} failures" in reply.text


async def test_other_questions_get_guidance(bot):
    reply = await bot.handle("what is the meaning of life?", USER, PLACE)
    assert reply.ok
    assert "Genie is not connected" in reply.text and "who spent the most this week?" in reply.text
    assert "QOPT_GENIE_SPACE_ID" in contexts(reply)
    genie = await bot.handle("genie spaces", USER, PLACE)
    assert not genie.ok and "QOPT_GENIE_SPACE_ID" in genie.text
