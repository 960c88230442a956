"""Hold questions so that no more than N reach Genie in any 60 seconds, first come first served.

Genie accepts about five questions a minute per workspace (only the POSTs that ask count). Beyond the limit a
question waits in line; the asker is told their place; no question is ever dropped. The clock and the sleep are
injectable so tests can run a burst without real waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
OnQueued = Callable[[int, float], Awaitable[None] | None]  # (place in line, estimated wait in seconds)


class QuestionQueue:
    """A sliding-window limiter with a FIFO line in front of it."""

    def __init__(
        self, per_minute: int, *, window_seconds: float = 60.0, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.window = window_seconds
        self.clock = clock
        self.sleep = sleep
        self._sent: deque[float] = deque()  # admission times within the window
        self._line: deque[object] = deque()  # tickets of questions waiting or being admitted
        self._lock = asyncio.Lock()  # FIFO: asyncio.Lock wakes waiters in arrival order
        self.admitted: list[float] = []  # every admission time (for inspection and metrics)

    def _expire(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()

    def _free_now(self) -> bool:
        self._expire(self.clock())
        return len(self._sent) < self.per_minute

    def waiting(self) -> int:
        return len(self._line)

    def estimate(self, place: int) -> float:
        """Rough seconds until the question at `place` (1 = next) is sent."""
        now = self.clock()
        self._expire(now)
        slots_left = self.per_minute - len(self._sent)
        if place <= slots_left:
            return 0.0
        behind = place - max(slots_left, 0)
        rounds, index = divmod(behind - 1, self.per_minute)
        first_free = (self._sent[index] + self.window - now) if index < len(self._sent) else 0.0
        return max(first_free, 0.0) + rounds * self.window

    @contextlib.asynccontextmanager
    async def slot(self, on_queued: OnQueued | None = None) -> AsyncIterator[int]:
        """Wait for a slot, then run the body (the POST that asks) before the next question may go.

        Yields the question's place among those held back by the limit (0 when it went at once). Holding the
        line during the body makes questions reach Genie in the order they arrived, and the window counts from
        the end of each POST, so no clock skew lets more than the limit through. Nothing is awaited between
        joining the line and queueing on the FIFO lock; the "you are number N" notice runs alongside.
        """
        ticket = object()
        self._expire(self.clock())
        place = len(self._line) + 1  # among questions not yet sent
        held = max(0, place - (self.per_minute - len(self._sent)))
        self._line.append(ticket)
        notice: asyncio.Future[None] | None = None
        try:
            if on_queued is not None and held:
                notice = asyncio.ensure_future(_call(on_queued, held, self.estimate(place)))
            async with self._lock:
                await self.admit()
                self._line.remove(ticket)
                try:
                    yield held
                finally:
                    self._sent[-1] = self.admitted[-1] = max(self._sent[-1], self.clock())
        finally:
            if ticket in self._line:
                self._line.remove(ticket)
            if notice is not None:
                await asyncio.gather(notice, return_exceptions=True)

    async def admit(self) -> None:
        """Wait until the window has room and count one question. Call it only inside `slot()`."""
        while True:
            now = self.clock()
            self._expire(now)
            if len(self._sent) < self.per_minute:
                self._sent.append(now)
                self.admitted.append(now)
                return
            await self.sleep(max(self._sent[0] + self.window - now, 0.001))

    async def acquire(self, on_queued: OnQueued | None = None) -> int:
        """Take a slot with nothing to hold it for. Returns the place it had in line (0: sent at once)."""
        async with self.slot(on_queued) as ahead:
            return ahead


async def _call(callback: OnQueued, place: int, wait: float) -> None:
    result = callback(place, wait)
    if inspect.isawaitable(result):
        await result
