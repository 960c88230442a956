"""A time-to-live result cache in front of any Warehouse.

When many people ask the same question (a digest everybody opens, `top` after a standup), the warehouse runs the
statement once: results are kept for `QOPT_RESULT_CACHE_TTL_SECONDS` keyed by (SQL text, parameters), and
identical statements asked while one is running wait for that one instead of starting their own. Failures are
not cached. The `tag` is not part of the key: the same SQL for two skills is the same answer.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from qopt.warehouse.base import Result, Warehouse

Key = tuple[str, tuple[tuple[str, str, str], ...]]


def cache_key(sql: str, params: Mapping[str, Any] | None) -> Key:
    """Hashable and type-aware (1, 1.0, True and "1" are different parameters)."""
    items = []
    for name, value in sorted((params or {}).items()):
        if isinstance(value, (datetime, date)):
            text = value.isoformat()
        else:
            text = repr(value)
        items.append((name, type(value).__name__, text))
    return sql, tuple(items)


class CachedWarehouse:
    """Wraps a Warehouse; `query` answers from the cache while an entry is younger than `ttl_seconds`."""

    def __init__(
        self,
        inner: Warehouse,
        ttl_seconds: float,
        *,
        max_entries: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Key, tuple[float, Result]] = OrderedDict()
        self._running: dict[Key, asyncio.Future[Result]] = {}
        self.hits = 0
        self.misses = 0

    async def query(self, sql: str, params: Mapping[str, Any] | None = None, *, tag: str | None = None) -> Result:
        if self.ttl_seconds <= 0:
            return await self.inner.query(sql, params, tag=tag)
        key = cache_key(sql, params)
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry[0] < self.ttl_seconds:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]
        running = self._running.get(key)
        if running is not None:
            try:
                result = await asyncio.shield(running)
            except asyncio.CancelledError:
                if not running.cancelled():
                    raise  # this caller was cancelled
                # the first caller gave up: run the statement for this one
            else:
                self.hits += 1
                return result
        self.misses += 1
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            result = await self.inner.query(sql, params, tag=tag)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters (if any) re-raise it
            raise
        else:
            self._store(key, result)
            future.set_result(result)
            return result
        finally:
            self._running.pop(key, None)

    def _store(self, key: Key, result: Result) -> None:
        self._entries[key] = (self._clock(), result)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    async def ping(self) -> None:
        await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str) -> Any:  # e.g. `execute`, `path` of the wrapped warehouse
        return getattr(self.inner, name)
