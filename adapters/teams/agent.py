"""The Teams turn handler: every incoming activity becomes a router call, and every Reply an Adaptive Card.

- message: the text without the @mention (or an Action.Submit's `{action, value}` as `<action> <value>`) goes
  to `Bot.handle`; an empty message gets help (the router does it). A typing indicator goes out at once; when
  the answer takes longer than `progress_after` seconds a "working" card is posted, the HTTP request returns,
  progress lines the skill reports update the card, and the answer replaces it in place (update activity)
  from a continued conversation (`working.py`).
- conversationUpdate adding the bot / installationUpdate: the conversation reference is stored, with a welcome;
  removing the bot drops it.
- anything else: ignored politely (logged at debug level, no reply; invokes get an empty 200).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from adapters.teams import inbound
from adapters.teams.cards import render_activity
from adapters.teams.references import ReferenceStore
from adapters.teams.working import WorkingCard
from qopt.bot.progress import reporting
from qopt.bot.reply import Context, Header, Reply, Text
from qopt.bot.request import Identity, Place

log = logging.getLogger("qopt.teams")

Handle = Callable[[str, Identity, Place], Awaitable[Reply]]

INVALID_SUBMISSION = (
    "I couldn't read that card action — it may come from an older version of this card. "
    "Type the command instead, or `help` to see them all."
)
WELCOME = "Hi, I'm qopt. I find the Databricks SQL that costs the most and tell you what to change."
MEMBER_CACHE_SECONDS = 3600.0
MEMBER_FAILURE_SECONDS = 300.0  # don't ask again on every message when the lookup fails
MAX_CACHED_MEMBERS = 10_000


class QoptTeamsAgent:
    """An SDK `Agent` (it has `on_turn`) that talks to qopt's router."""

    def __init__(
        self,
        handle: Handle,
        references: ReferenceStore | None,
        *,
        adapter: ChannelServiceAdapter,
        app_id: str | None,
        progress_after: float = 2.0,
    ) -> None:
        self.handle = handle
        self.references = references
        self.adapter = adapter
        self.app_id = app_id
        self.progress_after = progress_after
        self._members: dict[tuple[str, str], tuple[float, dict[str, Any] | None]] = {}  # key -> (expiry, record)
        self._pending: set[asyncio.Task[None]] = set()

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        kind = activity.type
        if kind == ActivityTypes.message:
            await self._remember(activity)
            await self._on_message(context)
        elif kind == ActivityTypes.conversation_update:
            if inbound.bot_was_added(activity):
                await self._remember(activity)
                await self._send(context, render_activity(_welcome()))
            elif inbound.bot_was_removed(activity):
                await self._forget(activity)
        elif kind == ActivityTypes.installation_update:
            if (activity.action or "add").startswith("add"):
                await self._remember(activity)
            elif (activity.action or "").startswith("remove"):
                await self._forget(activity)
        elif kind == ActivityTypes.invoke:
            log.debug("ignoring invoke %r", activity.name)
            await context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                                 value=InvokeResponse(status=200, body={})))
        else:
            log.debug("ignoring activity of type %r", kind)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait (at most `timeout` seconds) for answers still being computed in the background (shutdown)."""
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=timeout)

    # -- messages ----------------------------------------------------------------------------------------------

    async def _on_message(self, context: TurnContext) -> None:
        activity = context.activity
        try:
            submission = inbound.card_submission(activity)
        except inbound.InvalidSubmission as exc:
            log.info("invalid card submission (%s)", exc)
            await self._send(context, render_activity(Reply.message(INVALID_SUBMISSION, ok=False)))
            return
        await context.send_activity(Activity(type=ActivityTypes.typing))
        text = submission.command if submission else inbound.message_text(activity)
        user = inbound.identity(activity, await self._member(context))
        place = inbound.place(activity)
        card = WorkingCard(self.adapter, activity.get_conversation_reference(), self.app_id, text or "help")
        with reporting(card.report):  # the skill's task inherits the reporter (progress lines)
            task = asyncio.ensure_future(self.handle(text, user, place))
        done: set[asyncio.Future[Reply]] = set()
        if self.progress_after > 0:  # 0: always show the working card (deterministic in tests)
            done, _ = await asyncio.wait({task}, timeout=self.progress_after)
        if done:
            await self._send(context, render_activity(task.result()))
            return
        card.activity_id = await self._send(context, card.placeholder())
        background = asyncio.ensure_future(self._finish(task, card))
        self._pending.add(background)
        background.add_done_callback(self._pending.discard)

    async def _finish(self, task: asyncio.Future[Reply], card: WorkingCard) -> None:
        """Replace the working card with the answer, in a continued turn (the original request has returned)."""
        try:
            reply = await task
        except Exception:  # noqa: BLE001 - the router answers errors itself; this is the last line of defence
            error_id = secrets.token_hex(4)
            log.exception("slow answer failed (error id %s)", error_id)
            reply = Reply.message(f"Sorry, something went wrong on my side (error id `{error_id}`).", ok=False)
        try:
            await card.finish(reply)
        except Exception:  # noqa: BLE001 - a background task must log, not vanish
            log.exception("could not deliver a slow answer into %s", card.reference.conversation.id)

    async def _send(self, context: TurnContext, payload: dict[str, Any]) -> str | None:
        response = await context.send_activity(Activity.model_validate(payload))
        return response.id if response else None

    # -- helpers -----------------------------------------------------------------------------------------------

    async def _remember(self, activity: Activity) -> None:
        if self.references is None:
            return
        try:
            await self.references.remember(activity)
        except Exception:  # noqa: BLE001 - a state store hiccup must not cost the user the answer
            log.exception("could not store the conversation reference")

    async def _forget(self, activity: Activity) -> None:
        """The app was removed: drop the reference, so scheduled posts stop trying (and say why)."""
        if self.references is None or not (activity.conversation and activity.conversation.id):
            return
        try:
            await self.references.forget(activity.conversation.id)
        except Exception:  # noqa: BLE001
            log.exception("could not drop the conversation reference")

    async def _member(self, context: TurnContext) -> dict[str, Any] | None:
        """The sender's Teams member record (email, userPrincipalName), cached; None when it cannot be had."""
        activity = context.activity
        sender, conversation = activity.from_property, activity.conversation
        if not (sender and sender.id and conversation and conversation.id):
            return None
        key = (inbound.tenant_id(activity) or "", sender.id)
        cached = self._members.get(key)
        now = time.monotonic()
        if cached and now < cached[0]:
            return cached[1]
        client = context.services.get(ConnectorClientBase)
        lookup = getattr(client, "get_conversation_member", None)
        if lookup is None:
            return None
        record: dict[str, Any] | None
        try:
            account = await lookup(conversation.id.split(";messageid=", 1)[0], sender.id)
            record, ttl = account.model_dump(by_alias=True, exclude_none=True), MEMBER_CACHE_SECONDS
        except Exception as exc:  # noqa: BLE001 - identity without email still works for aggregates
            log.info("member lookup failed (%s); continuing without email", type(exc).__name__)
            record, ttl = None, MEMBER_FAILURE_SECONDS
        if len(self._members) >= MAX_CACHED_MEMBERS:
            self._members.clear()
        self._members[key] = (now + ttl, record)
        return record


def _welcome() -> Reply:
    return Reply(
        text=WELCOME + " Type help to see the commands.",
        blocks=[Header(text="qopt"), Text(text=WELCOME),
                Context(text="Type `help` to see the commands, or `top` for this week's most expensive SQL.")],
    )


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """Replaces the SDK's default, which would post the exception text into the chat."""
    error_id = secrets.token_hex(4)
    log.error("Teams turn failed (error id %s)", error_id, exc_info=error)
    if context.activity.type != ActivityTypes.message:
        return
    message = f"Sorry, something went wrong on my side (error id `{error_id}`). It has been logged."
    try:
        await context.send_activity(Activity.model_validate(render_activity(Reply.message(message, ok=False))))
    except Exception:  # noqa: BLE001 - the connector itself may be what failed
        log.warning("could not send the apology for error id %s", error_id)
