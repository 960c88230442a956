"""Continue a stored conversation outside a turn: digests, alerts, and answers of slow skills."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from microsoft_agents.activity import ConversationReference
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity


async def continue_conversation(
    adapter: ChannelServiceAdapter,
    reference: ConversationReference,
    app_id: str | None,
    callback: Callable[[TurnContext], Awaitable[None]],
) -> None:
    """Run `callback` in a turn of the referenced conversation.

    With an app id the connector token is requested for that app (the SDK's `continue_conversation` claims);
    without one (local mode) the claims are empty, which the SDK treats as anonymous: no token is sent.
    """
    activity = reference.get_continuation_activity()
    # The continuation event gets a made-up id; left in place, every send would be a "reply" to that id.
    # Without it, sends are new posts into the conversation (POST .../activities).
    activity.id = None
    claims = adapter.create_claims_identity(app_id) if app_id else ClaimsIdentity()
    await adapter.continue_conversation_with_claims(claims, activity, callback)
