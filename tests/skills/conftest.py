"""A Bot over the small demo warehouse with the clock fixed at the end of its data."""

from __future__ import annotations

import pytest

from qopt.app import Bot
from qopt.bot.request import Identity, Place
from qopt.config import Settings
from qopt.warehouse.duckdb import DuckDBWarehouse
from tests.conftest import DEMO_NOW


@pytest.fixture
async def bot(demo_warehouse_path):
    b = Bot(Settings(), warehouse=DuckDBWarehouse(demo_warehouse_path), clock=lambda: DEMO_NOW)
    yield b
    await b.close()


@pytest.fixture
def ask(bot):
    async def _ask(text: str, *, email: str = "ana.silva@example.com", dm: bool = True):
        return await bot.handle(text, Identity(user_id=email, email=email), Place(platform="shell", is_dm=dm))

    return _ask


def table(reply, index: int = 0):
    """The index-th table block of a reply as (columns, rows)."""
    tables = [b for b in reply.blocks if b.type == "table"]
    return tables[index].columns, tables[index].rows
