"""The SQLite state store: the embedded default, one file under the data directory.

sqlite3 is blocking, so every call runs on one dedicated thread that owns the connection (SQLite objects must
stay on the thread that uses them). WAL mode and a busy timeout let `qopt serve` and a CLI command share a file.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from qopt.errors import ServiceError
from qopt.state.base import StateStore
from qopt.state.migrations import CREATE_MIGRATIONS_TABLE, MIGRATIONS_TABLE, Migration

T = TypeVar("T")


class SQLiteStateStore(StateStore):
    dialect = "sqlite"

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock=clock)
        self.path = str(path)
        self._conn: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = None

    def __repr__(self) -> str:
        return f"SQLiteStateStore({self.path!r})"

    async def _call(self, fn: Callable[[], T]) -> T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qopt-state")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def _connect(self) -> None:
        def connect() -> None:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0, check_same_thread=False)
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA busy_timeout = 30000")
                if self.path != ":memory:":
                    _enable_wal(conn)
            except sqlite3.Error as exc:
                raise ServiceError(f"state store: cannot open the SQLite file {Path(self.path).name!r}: {exc}") from None
            self._conn = conn

        await self._call(connect)

    async def _disconnect(self) -> None:
        conn, executor = self._conn, self._executor
        self._conn, self._executor = None, None
        if executor is None:
            return
        if conn is not None:
            await asyncio.get_running_loop().run_in_executor(executor, conn.close)
        executor.shutdown(wait=True)

    async def _fetch(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        def run() -> list[dict[str, Any]]:
            assert self._conn is not None, "state store is closed"
            cursor = self._conn.execute(sql, dict(params))
            rows = [dict(r) for r in cursor.fetchall()] if cursor.description else []
            cursor.close()
            return rows

        try:
            return await self._call(run)
        except sqlite3.Error as exc:
            raise ServiceError(f"state store (SQLite) failed: {exc}") from exc

    async def _migrate(self, migrations: tuple[Migration, ...]) -> None:
        def run() -> None:
            conn = self._conn
            assert conn is not None
            conn.execute(CREATE_MIGRATIONS_TABLE)
            for migration in migrations:
                conn.execute("BEGIN IMMEDIATE")  # one writer at a time across processes
                try:
                    done = conn.execute(
                        f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE version = ?", (migration.version,)
                    ).fetchone()
                    if not done:
                        for statement in migration.render(self.dialect):
                            conn.execute(statement)
                        conn.execute(
                            f"INSERT INTO {MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
                            (migration.version, migration.name, datetime.now(timezone.utc).isoformat()),
                        )
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise

        try:
            await self._call(run)
        except sqlite3.Error as exc:
            raise ServiceError(f"state store (SQLite) migration failed: {exc}") from exc


def _enable_wal(conn: sqlite3.Connection, attempts: int = 100) -> None:
    """Switch the file to WAL mode. The switch needs an exclusive lock and SQLite answers "database is locked" at
    once (no busy handler) while another process opens the same new file, so it is retried for a few seconds."""
    for attempt in range(attempts):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)
