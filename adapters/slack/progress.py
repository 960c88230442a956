"""The placeholder shown while a slow answer is being computed: "Looking at 7 days of queries…"."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from qopt.errors import QoptError

DEFAULT = "Working on it…"


def placeholder_text(router: Any, text: str) -> str:
    """Say what is being looked at, from the parsed options; parsing has no side effects."""
    try:
        skill, request = router.parse(text)
    except QoptError:
        return DEFAULT
    days = request.args.get("days")
    if isinstance(days, int) and days > 0:
        return f"Looking at {days} day{'s' if days != 1 else ''} of queries…"
    if skill.name in ("optimize",):
        return "Reading your SQL…"
    return DEFAULT


class Progress:
    """The placeholder of one answer, and the progress lines a skill reports while it works
    (`qopt.bot.progress.report`). `show(text, first)` posts (first) or updates the placeholder. Updates are
    spaced and capped: a response_url takes five posts at most, and chat.update is rate limited."""

    def __init__(
        self,
        show: Callable[[str, bool], Awaitable[object]],
        text: str,
        *,
        max_updates: int = 2,
        min_interval: float = 1.0,
    ) -> None:
        self.show = show
        self.text = text
        self.max_updates = max_updates
        self.min_interval = min_interval
        self.shown = False
        self.updates = 0
        self._last = 0.0

    async def start(self) -> None:
        self.shown = True
        self._last = time.monotonic()
        await self.show(self.text, True)

    async def report(self, line: str) -> None:
        self.text = line  # before the placeholder is up, the latest line becomes its text
        if not self.shown or self.updates >= self.max_updates or time.monotonic() - self._last < self.min_interval:
            return
        self.updates += 1
        self._last = time.monotonic()
        await self.show(line, False)
