"""State-store fixtures shared by tests/state and tests/scheduler: the same tests on SQLite and PostgreSQL.

PostgreSQL comes from `QOPT_TEST_POSTGRES_URL` (e.g. postgresql://postgres@127.0.0.1:5432/test); each test gets
its own schema, dropped afterwards, so parallel and earlier runs never collide. Unset: those cases are skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone

import pytest

from qopt.state import StateStore, open_state

POSTGRES_ENV = "QOPT_TEST_POSTGRES_URL"


class FakeClock:
    """An injected clock: call it for now, `advance(...)` to move time."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


StoreFactory = Callable[[], Awaitable[StateStore]]


async def _stores(backend: str, tmp_path, clock: FakeClock) -> AsyncIterator[StoreFactory]:
    opened: list[StateStore] = []
    url = os.environ.get(POSTGRES_ENV, "")
    schema = f"qopt_test_{secrets.token_hex(6)}"
    if backend == "postgresql" and not url:
        pytest.skip(f"PostgreSQL state tests need {POSTGRES_ENV}=postgresql://user@host:port/db")

    async def make() -> StateStore:
        if backend == "postgresql":
            store = open_state(url, clock=clock, schema=schema)
        else:
            store = open_state(f"sqlite:///{tmp_path / 'state.sqlite'}", clock=clock)
        opened.append(store)
        return store

    yield make
    for store in opened:
        await store.close()
    if backend == "postgresql":
        await open_state(url, schema=schema).drop_schema()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store_factory(request: pytest.FixtureRequest, tmp_path, clock: FakeClock) -> AsyncIterator[StoreFactory]:
    """Opens stores that share one database (several replicas): SQLite file, or one private PostgreSQL schema."""
    async for factory in _stores(request.param, tmp_path, clock):
        yield factory


@pytest.fixture
async def sqlite_store_factory(tmp_path, clock: FakeClock) -> AsyncIterator[StoreFactory]:
    """The same on SQLite only, for tests whose subject is not the storage (override `store_factory` with it)."""
    async for factory in _stores("sqlite", tmp_path, clock):
        yield factory


@pytest.fixture
async def store(store_factory: StoreFactory) -> StateStore:
    return await store_factory()
