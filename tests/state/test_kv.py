"""The key-value API, the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from qopt.errors import ConfigError
from qopt.state import open_state
from qopt.state.migrations import MIGRATIONS
from qopt.state.postgres import to_pyformat
from qopt.state.sqlite import SQLiteStateStore


async def test_put_get_replace_delete(store):
    assert await store.kv_get("slack.installations", "T1") is None
    await store.kv_put("slack.installations", "T1", {"bot_token": "x", "n": 1})
    assert await store.kv_get("slack.installations", "T1") == {"bot_token": "x", "n": 1}
    await store.kv_put("slack.installations", "T1", {"n": 2})
    assert await store.kv_get("slack.installations", "T1") == {"n": 2}
    assert await store.kv_get("other.namespace", "T1") is None
    assert await store.kv_delete("slack.installations", "T1") is True
    assert await store.kv_delete("slack.installations", "T1") is False
    assert await store.kv_get("slack.installations", "T1") is None


async def test_values_keep_json_types(store):
    value = {"s": "é ünïcode", "i": 3, "f": 1.5, "b": True, "none": None, "list": [1, "a"], "nested": {"k": [{}]}}
    await store.kv_put("ns", "k", value)
    assert await store.kv_get("ns", "k") == value


async def test_value_must_be_a_dict(store):
    with pytest.raises(TypeError):
        await store.kv_put("ns", "k", ["not", "a", "dict"])  # type: ignore[arg-type]


async def test_ttl_hides_expired_entries(store, clock):
    await store.kv_put("slack.events", "Ev1", {"seen": True}, ttl_seconds=60)
    await store.kv_put("slack.events", "Ev2", {"seen": True})
    clock.advance(seconds=59)
    assert await store.kv_get("slack.events", "Ev1") == {"seen": True}
    clock.advance(seconds=2)
    assert await store.kv_get("slack.events", "Ev1") is None
    assert await store.kv_list("slack.events") == {"Ev2": {"seen": True}}
    assert await store.kv_delete("slack.events", "Ev1") is False  # expired: nothing live was removed
    assert await store.purge_expired() == 0  # already deleted above
    await store.kv_put("slack.events", "Ev3", {}, ttl_seconds=1)
    clock.advance(seconds=5)
    assert await store.purge_expired() == 1


async def test_ttl_must_be_positive(store):
    with pytest.raises(ValueError):
        await store.kv_put("ns", "k", {}, ttl_seconds=0)


async def test_put_if_absent(store, clock):
    assert await store.kv_put_if_absent("slack.events", "Ev1", {"first": 1}, 60) is True
    assert await store.kv_put_if_absent("slack.events", "Ev1", {"first": 2}, 60) is False
    assert await store.kv_get("slack.events", "Ev1") == {"first": 1}
    clock.advance(seconds=61)  # expired: the key is free again
    assert await store.kv_put_if_absent("slack.events", "Ev1", {"first": 3}, 60) is True
    assert await store.kv_get("slack.events", "Ev1") == {"first": 3}
    assert await store.kv_put_if_absent("ns", "forever", {}, None) is True
    clock.advance(days=365)
    assert await store.kv_put_if_absent("ns", "forever", {}, None) is False


async def test_put_if_absent_has_one_winner_across_replicas(store_factory):
    stores = [await store_factory() for _ in range(4)]
    results = await asyncio.gather(
        *(s.kv_put_if_absent("slack.events", "Ev-race", {"by": i}, 300) for i, s in enumerate(stores) for _ in range(3))
    )
    assert sum(results) == 1


async def test_list_by_prefix(store):
    for key in ("19:a", "19:b", "19:B", "20:c", "1"):
        await store.kv_put("teams.references", key, {"k": key})
    await store.kv_put("elsewhere", "19:z", {})
    assert list(await store.kv_list("teams.references", prefix="19:")) == ["19:B", "19:a", "19:b"]
    assert list(await store.kv_list("teams.references")) == ["1", "19:B", "19:a", "19:b", "20:c"]
    assert await store.kv_list("teams.references", prefix="19:%") == {}  # no wildcards
    assert await store.kv_list("nothing") == {}


async def test_leases_elect_one_holder_and_expire(store, clock):
    assert await store.acquire_lease("scheduler", "a", ttl_seconds=30) is True
    assert await store.acquire_lease("scheduler", "b", ttl_seconds=30) is False
    assert await store.lease_holder("scheduler") == "a"
    clock.advance(seconds=20)
    assert await store.acquire_lease("scheduler", "a", ttl_seconds=30) is True  # renewal
    clock.advance(seconds=20)
    assert await store.acquire_lease("scheduler", "b", ttl_seconds=30) is False  # renewed: still a's
    clock.advance(seconds=11)
    assert await store.lease_holder("scheduler") is None
    assert await store.acquire_lease("scheduler", "b", ttl_seconds=30) is True  # a died: b takes over
    assert await store.release_lease("scheduler", "a") is False
    assert await store.release_lease("scheduler", "b") is True
    assert await store.acquire_lease("scheduler", "a", ttl_seconds=30) is True


async def test_migrations_are_recorded_and_idempotent(store_factory):
    first = await store_factory()
    assert await first.schema_version() == MIGRATIONS[-1].version
    await first.close()
    again = await store_factory()  # same database: nothing to apply, nothing fails
    await again.kv_put("ns", "k", {"v": 1})
    assert await again.schema_version() == MIGRATIONS[-1].version
    rows = await again.fetch("SELECT version FROM qopt_migrations ORDER BY version")
    assert [r["version"] for r in rows] == [m.version for m in MIGRATIONS]


async def test_concurrent_first_use_migrates_once(store_factory):
    stores = [await store_factory() for _ in range(3)]
    await asyncio.gather(*(s.open() for s in stores))
    rows = await stores[0].fetch("SELECT count(*) AS n FROM qopt_migrations")
    assert rows[0]["n"] == len(MIGRATIONS)


def test_open_state_urls(tmp_path):
    assert isinstance(open_state(str(tmp_path / "s.sqlite")), SQLiteStateStore)
    assert open_state(f"sqlite:///{tmp_path}/s.sqlite").path == f"{tmp_path}/s.sqlite"
    assert open_state("sqlite:///rel/s.sqlite").path == "rel/s.sqlite"
    assert open_state("sqlite://").path == ":memory:"
    assert open_state("postgresql://u:secret@h/db").dialect == "postgresql"
    assert "secret" not in repr(open_state("postgres://u:secret@h/db"))
    for bad in ("", "mysql://h/db", "sqlite:relative"):
        with pytest.raises(ConfigError):
            open_state(bad)


def test_named_parameters_become_pyformat():
    assert to_pyformat("a = :a AND b LIKE '%x' AND excluded.c = :c_2") == "a = %(a)s AND b LIKE '%%x' AND excluded.c = %(c_2)s"


async def test_store_opens_lazily_and_creates_its_directory(tmp_path):
    path = tmp_path / "deep" / "dir" / "state.sqlite"
    store = open_state(str(path))
    assert not path.exists()
    await store.kv_put("ns", "k", {"v": 1})
    assert path.exists()
    await store.close()
    reopened = open_state(str(path))
    assert await reopened.kv_get("ns", "k") == {"v": 1}
    await reopened.close()


async def test_unreachable_postgres_is_a_service_error():
    from qopt.errors import ServiceError

    store = open_state("postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(ServiceError) as info:
        await store.kv_get("ns", "k")
    assert "pw" not in str(info.value)
