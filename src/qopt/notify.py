"""The Notifier protocol: how scheduled jobs (digests, alerts) post a Reply into a channel.

Each chat adapter provides one (Slack: `chat.postMessage`; Teams: proactive message through a stored
conversation reference). The scheduler only knows this protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from qopt.bot.reply import Reply


@dataclass(frozen=True)
class Delivery:
    """The outcome of one post. `ok=False` keeps the reason (not invited, no stored reference, ...)."""

    ok: bool
    message_id: str | None = None
    error: str | None = None
    retryable: bool = True


@runtime_checkable
class Notifier(Protocol):
    platform: str  # "slack" or "teams"

    async def post(self, channel: str, reply: Reply) -> Delivery:
        """Post `reply` into `channel` (Slack channel id; Teams conversation id). Never raises for chat errors."""
        ...
