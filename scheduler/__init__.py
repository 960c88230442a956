"""Digests and alerts on a schedule, posted through the chat adapters' notifiers.

`qopt serve` calls `await scheduler.start(bot, settings, notifiers)` once its server runs and
`await scheduler.stop()` when it shuts down. `notifiers` maps a platform name ("slack", "teams") to a
`qopt.notify.Notifier`. The jobs themselves live in `qopt.jobs` (shared with `qopt digest send` and
`qopt alerts check`); this package only decides when they run and which replica runs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qopt.config import Settings
from qopt.notify import Notifier
from qopt.jobs import digest_trigger
from scheduler.service import Scheduler

__all__ = ["Scheduler", "digest_trigger", "start", "stop", "current"]

_current: Scheduler | None = None


async def start(bot: Any, settings: Settings | None, notifiers: Mapping[str, Notifier]) -> Scheduler:
    """Start the scheduler of this process for `bot` (a `qopt.app.Bot`); returns it (already running: the same)."""
    global _current
    if _current is not None:
        return _current
    _current = Scheduler(bot.services, notifiers, settings=settings)
    await _current.start()
    return _current


async def stop() -> None:
    global _current
    running, _current = _current, None
    if running is not None:
        await running.stop()


def current() -> Scheduler | None:
    return _current
