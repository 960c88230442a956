"""The TTL result cache in front of a warehouse: one statement for many askers, until the entry expires."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from qopt.errors import ServiceError
from qopt.warehouse.cache import CachedWarehouse, cache_key
from tests.databricks.test_statement_execution import statement_posts

SQL = "SELECT count(*) AS n FROM system.query.history WHERE executed_by = :user"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_same_sql_and_params_run_once_until_the_ttl(warehouse, emulator):
    clock = Clock()
    cached = CachedWarehouse(warehouse, ttl_seconds=300, clock=clock)
    first = await cached.query(SQL, {"user": "ana@example.com"}, tag="top")
    again = await cached.query(SQL, {"user": "ana@example.com"}, tag="cost")
    assert again == first and len(statement_posts(emulator)) == 1
    await cached.query(SQL, {"user": "bob@example.com"})
    assert len(statement_posts(emulator)) == 2
    clock.now += 299
    await cached.query(SQL, {"user": "ana@example.com"})
    assert len(statement_posts(emulator)) == 2
    clock.now += 2
    await cached.query(SQL, {"user": "ana@example.com"})
    assert len(statement_posts(emulator)) == 3
    assert (cached.hits, cached.misses) == (2, 3)


async def test_concurrent_askers_share_one_statement(warehouse, emulator):
    emulator.pending_polls = 3
    cached = CachedWarehouse(warehouse, ttl_seconds=60)
    results = await asyncio.gather(*(cached.query(SQL, {"user": "chen@example.com"}) for _ in range(5)))
    assert len({r.rows[0] for r in results}) == 1
    assert len(statement_posts(emulator)) == 1


async def test_failures_are_not_cached(warehouse, emulator):
    cached = CachedWarehouse(warehouse, ttl_seconds=60)
    emulator.denied_schemas = {"query"}
    with pytest.raises(ServiceError):
        await cached.query(SQL, {"user": "ana@example.com"})
    emulator.denied_schemas = set()
    assert (await cached.query(SQL, {"user": "ana@example.com"})).rows
    assert len(statement_posts(emulator)) == 2


async def test_ttl_zero_disables_the_cache(warehouse, emulator):
    cached = CachedWarehouse(warehouse, ttl_seconds=0)
    await cached.query("SELECT 1")
    await cached.query("SELECT 1")
    assert len(statement_posts(emulator)) == 2


def test_key_tells_types_apart():
    assert cache_key("x", {"a": 1}) != cache_key("x", {"a": "1"}) != cache_key("x", {"a": 1.0})
    assert cache_key("x", {"a": 1, "b": 2}) == cache_key("x", {"b": 2, "a": 1})
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert cache_key("x", {"t": when}) == cache_key("x", {"t": when.replace()})


async def test_the_oldest_entries_go_first(warehouse, emulator):
    cached = CachedWarehouse(warehouse, ttl_seconds=60, max_entries=2)
    for n in (1, 2, 3):
        await cached.query(f"SELECT {n}")
    await cached.query("SELECT 3")
    await cached.query("SELECT 1")
    assert len(statement_posts(emulator)) == 4
