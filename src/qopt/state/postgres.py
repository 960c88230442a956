"""The PostgreSQL state store: shared by several bot replicas (psycopg 3, async).

One connection in autocommit mode, used by one coroutine at a time; it reconnects once when the server dropped it.
`schema` (optional) keeps all tables in their own PostgreSQL schema, created on first use — tests use a fresh
schema per run so parallel runs never collide.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from qopt.errors import ServiceError
from qopt.state.base import StateStore
from qopt.state.migrations import CREATE_MIGRATIONS_TABLE, MIGRATIONS_TABLE, Migration

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def to_pyformat(sql: str) -> str:
    """`:name` markers to psycopg's `%(name)s` (a literal `%` is doubled)."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


class PostgresStateStore(StateStore):
    dialect = "postgresql"

    def __init__(self, url: str, *, schema: str | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock=clock)
        if schema is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
            raise ValueError(f"not a plain schema name: {schema!r}")
        self.url = url
        self.schema = schema
        self._conn: Any = None
        self._lock: asyncio.Lock | None = None
        self._sql_cache: dict[str, str] = {}

    def __repr__(self) -> str:  # never the URL: it may hold a password
        return f"PostgresStateStore(schema={self.schema!r})"

    async def _connect(self) -> None:
        import psycopg
        from psycopg.rows import dict_row

        if self._lock is None:
            self._lock = asyncio.Lock()
        try:
            conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True, row_factory=dict_row)
        except psycopg.Error as exc:
            raise ServiceError(f"state store: cannot connect to PostgreSQL ({_first_line(exc)})") from None
        if self.schema:
            from psycopg import sql

            try:
                await conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            except psycopg.errors.UniqueViolation:
                pass  # another replica created it at the same instant
            await conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
        self._conn = conn

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def _fetch(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        import psycopg

        query = self._sql_cache.get(sql)
        if query is None:
            query = self._sql_cache[sql] = to_pyformat(sql)
        assert self._lock is not None
        async with self._lock:
            for attempt in (1, 2):
                if self._conn is None or self._conn.closed:
                    await self._connect()
                try:
                    cursor = await self._conn.execute(query, dict(params))
                    return list(await cursor.fetchall()) if cursor.description else []
                except psycopg.OperationalError as exc:
                    if attempt == 2 or not self._conn.closed:
                        raise ServiceError(f"state store (PostgreSQL) failed: {_first_line(exc)}") from exc
                except psycopg.Error as exc:
                    raise ServiceError(f"state store (PostgreSQL) failed: {_first_line(exc)}") from exc
        raise AssertionError("unreachable")

    async def _migrate(self, migrations: tuple[Migration, ...]) -> None:
        import psycopg

        conn = self._conn
        # Serialise migrations between replicas starting together: a transaction-scoped advisory lock per schema.
        lock_key = zlib.crc32(f"qopt-migrations:{self.schema or ''}".encode())
        try:
            await conn.execute(CREATE_MIGRATIONS_TABLE)
            for migration in migrations:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key,))
                    cursor = await conn.execute(
                        f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE version = %s", (migration.version,)
                    )
                    if await cursor.fetchone():
                        continue
                    for statement in migration.render(self.dialect):
                        await conn.execute(statement)
                    await conn.execute(
                        f"INSERT INTO {MIGRATIONS_TABLE} (version, name, applied_at) VALUES (%s, %s, %s)",
                        (migration.version, migration.name, datetime.now(timezone.utc).isoformat()),
                    )
        except psycopg.errors.UniqueViolation:
            # Another replica created the migrations table at the same instant; its lock now orders us.
            await self._migrate(migrations)
        except psycopg.Error as exc:
            raise ServiceError(f"state store (PostgreSQL) migration failed: {_first_line(exc)}") from exc

    async def drop_schema(self) -> None:
        """Drop this store's schema with everything in it (tests' clean-up). Refuses without a schema."""
        if not self.schema:
            raise ValueError("drop_schema needs a store opened with schema=...")
        from psycopg import sql

        await self.open()
        await self._conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema)))
        await self.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
