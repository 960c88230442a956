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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store_factory(request: pytest.FixtureRequest, tmp_path, clock: FakeClock) -> AsyncIterator[StoreFactory]:
    """Opens stores that share one database (several replicas): SQLite file, or one private PostgreSQL schema."""
    backend = request.param
    opened: list[StateStore] = []
    if backend == "postgresql":
        url = os.environ.get(POSTGRES_ENV)
        if not url:
            pytest.skip(f"PostgreSQL state tests need {POSTGRES_ENV}=postgresql://user@host:port/db")
        schema = f"qopt_test_{secrets.token_hex(6)}"

        async def make() -> StateStore:
            store = open_state(url, clock=clock, schema=schema)
            opened.append(store)
            return store
    else:
        path = tmp_path / "state.sqlite"

        async def make() -> StateStore:
            store = open_state(f"sqlite:///{path}", clock=clock)
            opened.append(store)
            return store

    yield make
    for store in opened:
        await store.close()
    if backend == "postgresql":
        cleaner = open_state(url, schema=schema)
        await cleaner.drop_schema()


@pytest.fixture
async def store(store_factory: StoreFactory) -> StateStore:
    return await store_factory()
