"""The backend-neutral part of the state store: lazy opening, the key-value API and leases.

Backends (SQLite, PostgreSQL) only provide a connection, `_fetch` (one statement, named `:param` markers, rows as
dicts) and `_migrate`. Every operation here is a single portable statement (`INSERT ... ON CONFLICT ... RETURNING`
exists in SQLite >= 3.35 and PostgreSQL), so each one is atomic on its own without client-side transactions.
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from qopt.state.migrations import MIGRATIONS, Migration


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class StateStore(ABC):
    """Bot state shared by every area. See `qopt.state` for the API."""

    dialect: str = ""

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock or _utc_now
        self._ready_lock: asyncio.Lock | None = None
        self._opened = False

    # -- life cycle -------------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect and apply pending migrations. Called by every operation; cheap once done."""
        if self._opened:
            return
        if self._ready_lock is None:
            self._ready_lock = asyncio.Lock()
        async with self._ready_lock:
            if self._opened:
                return
            await self._connect()
            await self._migrate(MIGRATIONS)
            self._opened = True

    async def close(self) -> None:
        if self._opened:
            self._opened = False
            await self._disconnect()

    async def __aenter__(self) -> "StateStore":
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        await self.open()
        rows = await self._fetch("SELECT max(version) AS v FROM qopt_migrations", {})
        return int(rows[0]["v"] or 0) if rows else 0

    # -- what a backend provides ------------------------------------------------------------------------------

    @abstractmethod
    async def _connect(self) -> None: ...

    @abstractmethod
    async def _disconnect(self) -> None: ...

    @abstractmethod
    async def _fetch(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Run one statement with `:name` parameters; rows as dicts (empty for statements without rows)."""

    @abstractmethod
    async def _migrate(self, migrations: tuple[Migration, ...]) -> None:
        """Apply the migrations not yet recorded, each in its own transaction, serialised between processes."""

    async def fetch(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """One statement against the state tables (opens the store first). For qopt's own state modules."""
        await self.open()
        return await self._fetch(sql, params or {})

    def now(self) -> float:
        """The store's clock in epoch seconds (injected in tests)."""
        return self.clock().timestamp()

    # -- key-value --------------------------------------------------------------------------------------------

    async def kv_get(self, namespace: str, key: str) -> dict[str, Any] | None:
        rows = await self.fetch(
            "SELECT value FROM qopt_kv WHERE namespace = :ns AND key = :key "
            "AND (expires_at IS NULL OR expires_at > :now)",
            {"ns": namespace, "key": key, "now": self.now()},
        )
        return json.loads(rows[0]["value"]) if rows else None

    async def kv_put(
        self, namespace: str, key: str, value: Mapping[str, Any], ttl_seconds: float | None = None
    ) -> None:
        now = self.now()
        await self.fetch(
            "INSERT INTO qopt_kv (namespace, key, value, updated_at, expires_at) "
            "VALUES (:ns, :key, :value, :now, :expires) "
            "ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at, expires_at = excluded.expires_at",
            {"ns": namespace, "key": key, "value": _dump(value), "now": now, "expires": _expiry(now, ttl_seconds)},
        )

    async def kv_put_if_absent(
        self, namespace: str, key: str, value: Mapping[str, Any], ttl_seconds: float | None = None
    ) -> bool:
        """Store only when no live entry exists (an expired one is replaced). True when this call stored it."""
        now = self.now()
        rows = await self.fetch(
            "INSERT INTO qopt_kv (namespace, key, value, updated_at, expires_at) "
            "VALUES (:ns, :key, :value, :now, :expires) "
            "ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at, expires_at = excluded.expires_at "
            "WHERE qopt_kv.expires_at IS NOT NULL AND qopt_kv.expires_at <= :now "
            "RETURNING key",
            {"ns": namespace, "key": key, "value": _dump(value), "now": now, "expires": _expiry(now, ttl_seconds)},
        )
        return bool(rows)

    async def kv_delete(self, namespace: str, key: str) -> bool:
        """Remove an entry; True when a live one was there."""
        rows = await self.fetch(
            "DELETE FROM qopt_kv WHERE namespace = :ns AND key = :key RETURNING expires_at",
            {"ns": namespace, "key": key},
        )
        now = self.now()
        return any(r["expires_at"] is None or r["expires_at"] > now for r in rows)

    async def kv_list(self, namespace: str, prefix: str = "") -> dict[str, dict[str, Any]]:
        """Live entries of a namespace whose key starts with `prefix` (case-sensitive), ordered by key."""
        rows = await self.fetch(
            "SELECT key, value FROM qopt_kv WHERE namespace = :ns "
            "AND substr(key, 1, :n) = :prefix AND (expires_at IS NULL OR expires_at > :now) ORDER BY key",
            {"ns": namespace, "n": len(prefix), "prefix": prefix, "now": self.now()},
        )
        return {r["key"]: json.loads(r["value"]) for r in rows}

    async def purge_expired(self) -> int:
        """Delete expired key-value entries (they are already invisible); returns how many."""
        rows = await self.fetch(
            "DELETE FROM qopt_kv WHERE expires_at IS NOT NULL AND expires_at <= :now RETURNING key", {"now": self.now()}
        )
        return len(rows)

    # -- leases -----------------------------------------------------------------------------------------------

    async def acquire_lease(self, name: str, holder: str, ttl_seconds: float) -> bool:
        """Take or renew lease `name` for `holder` until now + ttl. False while someone else holds it unexpired."""
        now = self.now()
        rows = await self.fetch(
            "INSERT INTO qopt_leases (name, holder, acquired_at, expires_at) VALUES (:name, :holder, :now, :expires) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, "
            "acquired_at = CASE WHEN qopt_leases.holder = excluded.holder THEN qopt_leases.acquired_at "
            "ELSE excluded.acquired_at END "
            "WHERE qopt_leases.holder = excluded.holder OR qopt_leases.expires_at <= :now "
            "RETURNING holder",
            {"name": name, "holder": holder, "now": now, "expires": now + ttl_seconds},
        )
        return bool(rows)

    async def release_lease(self, name: str, holder: str) -> bool:
        rows = await self.fetch(
            "DELETE FROM qopt_leases WHERE name = :name AND holder = :holder RETURNING name",
            {"name": name, "holder": holder},
        )
        return bool(rows)

    async def lease_holder(self, name: str) -> str | None:
        rows = await self.fetch(
            "SELECT holder FROM qopt_leases WHERE name = :name AND expires_at > :now", {"name": name, "now": self.now()}
        )
        return rows[0]["holder"] if rows else None


def _dump(value: Mapping[str, Any]) -> str:
    if not isinstance(value, Mapping):
        raise TypeError(f"state values are JSON objects (dicts), not {type(value).__name__}")
    return json.dumps(dict(value), separators=(",", ":"), sort_keys=True, default=str)


def _expiry(now: float, ttl_seconds: float | None) -> float | None:
    if ttl_seconds is None:
        return None
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive (or None for no expiry)")
    return now + float(ttl_seconds)
