"""Progress lines from a running skill to the chat ("Genie is running the query…").

A front end that can show progress (Slack: update the placeholder; Teams: a typing/update activity; terminal:
stderr) sets a reporter around one request with `reporting(callback)`; a skill calls `await report(text)`.
A context variable carries it, so the Router and Request stay unchanged and concurrent requests never mix.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar

log = logging.getLogger("qopt.progress")

Reporter = Callable[[str], Awaitable[None] | None]

_current: ContextVar[Reporter | None] = ContextVar("qopt_progress", default=None)


@contextlib.contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Send `report(...)` calls made inside this block (and tasks it starts) to `reporter`."""
    token = _current.set(reporter)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> Reporter | None:
    return _current.get()


async def report(text: str) -> None:
    """Show one progress line, if the front end listens. Never raises."""
    reporter = _current.get()
    if reporter is None or not text:
        return
    try:
        result = reporter(text)
        if inspect.isawaitable(result):
            await result
    except Exception:  # noqa: BLE001 - progress is best effort
        log.warning("progress reporter failed", exc_info=True)
