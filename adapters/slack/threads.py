"""What Slack conversations remember, in the shared state store (so replicas and restarts agree):

- delivered event ids, so a retried event is answered once (`slack.events`, one hour);
- per thread, the last command and the buttons of the last answer (`slack.threads`, two weeks), so a follow-up
  in the thread can say just `--days 30` (the same command, other options) or a button's label (`next page`).
"""

from __future__ import annotations

import logging
from typing import Any

from qopt.bot.parser import split_command
from qopt.bot.reply import Actions, Reply
from qopt.errors import ServiceError

log = logging.getLogger("qopt.slack.threads")

EVENTS = "slack.events"
THREADS = "slack.threads"
EVENT_TTL_SECONDS = 3600
THREAD_TTL_SECONDS = 14 * 24 * 3600


def thread_key(team_id: str | None, channel_id: str, thread_ts: str) -> str:
    return f"{team_id or '-'}:{channel_id}:{thread_ts}"


class Conversations:
    def __init__(self, state: Any) -> None:
        self.state = state

    async def first_delivery(self, event_id: str | None) -> bool:
        """True the first time an event id is seen (any replica); a failing store lets the event through."""
        if not event_id:
            return True
        try:
            return await self.state.kv_put_if_absent(EVENTS, event_id, {}, ttl_seconds=EVENT_TTL_SECONDS)
        except ServiceError:
            log.warning("state store unavailable: cannot de-duplicate event %s", event_id)
            return True

    async def resolve(self, key: str, text: str) -> str:
        """The command a follow-up in a thread means, given what the thread said before."""
        stripped = text.strip()
        if not stripped:
            return text
        context = await self._get(key)
        if not context:
            return text
        buttons: dict[str, str] = context.get("buttons") or {}
        by_label = buttons.get(stripped.lower().rstrip(".!"))
        if by_label:
            return by_label
        last = context.get("command") or ""
        if stripped.startswith("--") and last:
            return f"{last} {stripped}"
        return text

    async def remember(self, key: str, text: str, reply: Reply) -> None:
        word, _ = split_command(text)
        buttons = {
            b.label.strip().lower(): f"{b.action} {b.value}".strip()
            for block in reply.blocks
            if isinstance(block, Actions)
            for b in block.buttons
        }
        value = {"command": word, "text": text, "buttons": buttons}
        try:
            await self.state.kv_put(THREADS, key, value, ttl_seconds=THREAD_TTL_SECONDS)
        except ServiceError:
            log.warning("state store unavailable: thread context not saved")

    async def _get(self, key: str) -> dict[str, Any] | None:
        try:
            return await self.state.kv_get(THREADS, key)
        except ServiceError:
            return None
