"""The Teams `Notifier`: post a Reply into a conversation through its stored reference (digests, alerts)."""

from __future__ import annotations

import logging

import aiohttp
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext

from adapters.teams.cards import render_activity
from adapters.teams.proactive import continue_conversation
from adapters.teams.references import ReferenceStore
from qopt.bot.reply import Reply
from qopt.notify import Delivery

log = logging.getLogger("qopt.teams.notify")

_PERMANENT = {400, 401, 403, 404}


class TeamsNotifier:
    platform = "teams"

    def __init__(self, adapter: ChannelServiceAdapter, references: ReferenceStore, app_id: str | None) -> None:
        self.adapter = adapter
        self.references = references
        self.app_id = app_id

    async def post(self, channel: str, reply: Reply) -> Delivery:
        """Post into conversation `channel` (a Teams conversation id). Never raises for chat errors."""
        try:
            reference = await self.references.get(channel)
        except Exception as exc:  # noqa: BLE001 - the state store is down: try again later
            log.warning("reference lookup failed for %s (%s)", channel, type(exc).__name__)
            return Delivery(ok=False, error="state store unavailable", retryable=True)
        if reference is None:
            return Delivery(
                ok=False,
                error=f"no stored Teams conversation {channel!r}: install the app there or message the bot once",
                retryable=False,
            )
        sent: dict[str, str | None] = {}
        failures: list[Exception] = []

        async def send(context: TurnContext) -> None:
            # Errors are kept and re-raised below: inside the turn the adapter's error handler would swallow them.
            try:
                response = await context.send_activity(Activity.model_validate(render_activity(reply)))
                sent["id"] = response.id if response else None
            except Exception as exc:  # noqa: BLE001
                failures.append(exc)

        try:
            await continue_conversation(self.adapter, reference, self.app_id, send)
            if failures:
                raise failures[0]
        except aiohttp.ClientResponseError as exc:
            log.warning("Teams post into %s failed with HTTP %s", channel, exc.status)
            return Delivery(ok=False, error=f"Teams connector answered HTTP {exc.status}",
                            retryable=exc.status not in _PERMANENT)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("Teams post into %s failed (%s)", channel, type(exc).__name__)
            return Delivery(ok=False, error=f"Teams connector unreachable ({type(exc).__name__})", retryable=True)
        except Exception as exc:  # noqa: BLE001 - token acquisition and the like
            log.exception("Teams post into %s failed", channel)
            return Delivery(ok=False, error=f"Teams post failed ({type(exc).__name__})", retryable=True)
        return Delivery(ok=True, message_id=sent.get("id"))


class MisconfiguredNotifier:
    """Stands in for Teams when its settings are wrong: every post fails with the reason, nothing is sent."""

    platform = "teams"

    def __init__(self, problem: str) -> None:
        self.problem = problem

    async def post(self, channel: str, reply: Reply) -> Delivery:
        return Delivery(ok=False, error=self.problem, retryable=False)
