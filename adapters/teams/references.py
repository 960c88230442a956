"""Stored Teams conversation references: what a proactive post (digest, alert) needs to reach a conversation.

A reference is captured when the bot is installed (conversationUpdate adding the bot, installationUpdate) and
every time it is messaged, and kept in the state store under namespace `teams.references`, keyed by the
conversation id. For a channel the key is the channel's own id (`19:…@thread.tacv2`), without the
`;messageid=` suffix of a reply thread, so a digest starts a new post in the channel.
"""

from __future__ import annotations

from typing import Any, Protocol

from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount, ConversationReference

from adapters.teams.inbound import tenant_id

NAMESPACE = "teams.references"


class KeyValueStore(Protocol):
    async def kv_get(self, namespace: str, key: str) -> dict[str, Any] | None: ...
    async def kv_put(self, namespace: str, key: str, value: dict[str, Any], ttl_seconds: float | None = None) -> None: ...
    async def kv_list(self, namespace: str, prefix: str = "") -> dict[str, dict[str, Any]]: ...
    async def kv_delete(self, namespace: str, key: str) -> bool: ...


def base_conversation_id(conversation_id: str) -> str:
    return conversation_id.split(";messageid=", 1)[0]


def reference_record(activity: Activity) -> dict[str, Any]:
    """The JSON we keep: service URL, conversation (with tenant and type), channel id, bot account."""
    conversation = activity.conversation
    assert conversation is not None and conversation.id
    tenant = tenant_id(activity)
    bot = activity.recipient
    return {
        "service_url": activity.service_url,
        "channel_id": str(activity.channel_id or "msteams"),
        "tenant_id": tenant,
        "conversation": {
            "id": base_conversation_id(conversation.id),
            "tenant_id": tenant,
            "conversation_type": conversation.conversation_type,
            "is_group": conversation.is_group,
            "name": conversation.name,
        },
        "bot": {"id": bot.id if bot else None, "name": bot.name if bot else None},
    }


def to_conversation_reference(record: dict[str, Any]) -> ConversationReference:
    conversation = {k: v for k, v in record["conversation"].items() if v is not None}
    bot = {k: v for k, v in (record.get("bot") or {}).items() if v is not None}
    return ConversationReference(
        service_url=record["service_url"],
        channel_id=record.get("channel_id") or "msteams",
        conversation=ConversationAccount(**conversation),
        agent=ChannelAccount(**bot) if bot.get("id") else None,
    )


class ReferenceStore:
    """Conversation references over the shared key-value state store."""

    def __init__(self, store: KeyValueStore) -> None:
        self.store = store

    async def remember(self, activity: Activity) -> bool:
        """Store (or refresh) the reference of the activity's conversation. False when it lacks the essentials."""
        if not (activity.service_url and activity.conversation and activity.conversation.id):
            return False
        record = reference_record(activity)
        key = record["conversation"]["id"]
        if await self.store.kv_get(NAMESPACE, key) != record:
            await self.store.kv_put(NAMESPACE, key, record)
        return True

    async def get(self, conversation_id: str) -> ConversationReference | None:
        record = await self.store.kv_get(NAMESPACE, base_conversation_id(conversation_id))
        return to_conversation_reference(record) if record else None

    async def forget(self, conversation_id: str) -> bool:
        return await self.store.kv_delete(NAMESPACE, base_conversation_id(conversation_id))

    async def all(self) -> dict[str, dict[str, Any]]:
        return await self.store.kv_list(NAMESPACE)
