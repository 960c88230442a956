"""Chat threads are Genie conversations: one Slack thread, Teams conversation or shell session, one conversation.

The map lives in the state store (namespace `genie.threads`), so a follow-up after a restart continues the same
conversation. Without a state store it is kept in memory (follow-ups work until the process ends).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from qopt.bot.request import Place

NAMESPACE = "genie.threads"


def thread_key(place: Place, space_id: str) -> str | None:
    """`platform|team|channel|thread|space`; None when the message is not in a thread (each question stands alone)."""
    thread = place.thread_id
    if not thread:
        return None
    parts = (place.platform, place.team_id or "-", place.channel_id or "-", thread, space_id)
    return "|".join(str(p).replace("|", "/") for p in parts)


class ConversationMap:
    def __init__(self, state: Any = None) -> None:
        self.state = state
        self._memory: dict[str, dict[str, Any]] = {}
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # key -> (lock, questions using it)

    @contextlib.asynccontextmanager
    async def turn(self, place: Place, space_id: str) -> AsyncIterator[None]:
        """One question at a time per thread (in this process): a follow-up waits for the answer before it,
        so both land in the same conversation, in order."""
        key = thread_key(place, space_id)
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]  # nobody else waits: forget the lock
            else:
                self._locks[key] = (lock, users - 1)

    async def get(self, place: Place, space_id: str) -> str | None:
        key = thread_key(place, space_id)
        if key is None:
            return None
        value = await self.state.kv_get(NAMESPACE, key) if self.state is not None else self._memory.get(key)
        return (value or {}).get("conversation_id")

    async def put(self, place: Place, space_id: str, conversation_id: str, **extra: Any) -> None:
        key = thread_key(place, space_id)
        if key is None:
            return
        value = {"conversation_id": conversation_id, "space_id": space_id, **extra}
        if self.state is not None:
            await self.state.kv_put(NAMESPACE, key, value)
        else:
            self._memory[key] = value

    async def forget(self, place: Place, space_id: str) -> None:
        key = thread_key(place, space_id)
        if key is None:
            return
        if self.state is not None:
            await self.state.kv_delete(NAMESPACE, key)
        else:
            self._memory.pop(key, None)
