"""The "working" card of one slow answer: progress lines update it in place, then the answer replaces it.

Updates run in continued turns (the user's HTTP request has long returned) and are serialised by a lock, so a
late progress line can never overwrite the answer. Progress updates are capped per answer: Teams allows about
1,800 operations an hour in a thread, and a card that flickers helps nobody.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from microsoft_agents.activity import Activity, ConversationReference
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext

from adapters.teams.cards import render_activity, working_activity
from adapters.teams.proactive import continue_conversation
from qopt.bot.reply import Reply

log = logging.getLogger("qopt.teams")

MAX_PROGRESS_UPDATES = 3


class WorkingCard:
    def __init__(
        self,
        adapter: ChannelServiceAdapter,
        reference: ConversationReference,
        app_id: str | None,
        what: str,
        *,
        max_updates: int = MAX_PROGRESS_UPDATES,
    ) -> None:
        self.adapter = adapter
        self.reference = reference
        self.app_id = app_id
        self.what = what
        self.max_updates = max_updates
        self.activity_id: str | None = None
        self.line: str | None = None
        self.updates = 0
        self.closed = False
        self._lock = asyncio.Lock()

    def placeholder(self) -> dict[str, Any]:
        """The card to post first (carrying the latest progress line, if one came already)."""
        return working_activity(self.what, self.line)

    async def report(self, line: str) -> None:
        """A progress reporter (`qopt.bot.progress`): show the line on the card once it is posted."""
        self.line = line
        if self.activity_id is None:
            return  # not posted yet: `placeholder()` will carry it
        async with self._lock:
            if self.closed or self.updates >= self.max_updates:
                return
            self.updates += 1
            await self._put(working_activity(self.what, line))

    async def finish(self, reply: Reply) -> None:
        async with self._lock:
            self.closed = True
            await self._put(render_activity(reply))

    async def _put(self, payload: dict[str, Any]) -> None:
        failures: list[Exception] = []

        async def send(context: TurnContext) -> None:
            try:
                activity = Activity.model_validate(payload)
                if self.activity_id:
                    activity.id = self.activity_id
                    await context.update_activity(activity)
                else:  # the placeholder could not be posted: the answer comes as a new message
                    await context.send_activity(activity)
            except Exception as exc:  # noqa: BLE001 - re-raised below, outside the SDK's turn error handler
                failures.append(exc)

        await continue_conversation(self.adapter, self.reference, self.app_id, send)
        if failures:
            raise failures[0]
