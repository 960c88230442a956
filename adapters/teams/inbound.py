"""Turn an incoming Teams activity into what the router needs: the text, who asked, and where.

Pure functions over the SDK's `Activity` model; no network. The member lookup that adds the UPN/email lives in
`agent.py`, because it needs the turn's connector client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import Activity

from qopt.bot.request import Identity, Place

MAX_ACTION = 40
MAX_VALUE = 500
_ACTION_WORD = re.compile(r"[a-z][a-z0-9_-]*")
_AT_TAG = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


class InvalidSubmission(ValueError):
    """A card submission that does not carry a usable `{action, value}`."""


@dataclass(frozen=True)
class Submission:
    action: str
    value: str

    @property
    def command(self) -> str:
        return f"{self.action} {self.value}".strip()


def message_text(activity: Activity) -> str:
    """The message text without the bot's @mention (Teams puts `<at>Name</at>` in channel messages).

    Mentions are removed using the activity's mention entities (the SDK's `remove_recipient_mention`); any
    leftover `<at>…</at>` of the bot that an entity did not describe is removed as well, other people's
    mentions keep just their name, and the HTML
    non-breaking spaces Teams inserts around mentions become plain spaces.
    """
    copy = activity.model_copy(deep=True)
    text = copy.remove_recipient_mention() if copy.recipient and copy.recipient.id else (copy.text or "")
    name = copy.recipient.name if copy.recipient else None
    if name and f"<at>{name.lower()}</at>" in text.lower():
        text = re.sub(rf"<at>{re.escape(name)}</at>", "", text, flags=re.IGNORECASE)
    text = strip_tags(text).replace("&nbsp;", " ").replace("\u00a0", " ")
    return " ".join(text.split())


def card_submission(activity: Activity) -> Submission | None:
    """The `{action, value}` of an Action.Submit press, or None when the message is not a card submission.

    Raises InvalidSubmission when the activity carries a value that is not a well-formed submission.
    """
    value: Any = activity.value
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidSubmission("not an object")
    action, argument = value.get("action"), value.get("value", "")
    if not isinstance(action, str) or not _ACTION_WORD.fullmatch(action.strip().lower()) or len(action) > MAX_ACTION:
        raise InvalidSubmission("no action")
    if isinstance(argument, bool) or not isinstance(argument, (str, int, float)):
        raise InvalidSubmission("bad value")
    argument = str(argument).strip()
    if len(argument) > MAX_VALUE or "\n" in argument:
        raise InvalidSubmission("value too long")
    return Submission(action=action.strip().lower(), value=argument)


def tenant_id(activity: Activity) -> str | None:
    if activity.conversation and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    data = _channel_data(activity)
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    return tenant.get("id") or None


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    return bool(conversation) and (conversation.conversation_type or "personal") == "personal"


def place(activity: Activity) -> Place:
    """Teams place: the tenant as team, the conversation as channel, the channel thread's root as thread.

    A channel reply thread arrives as `19:…@thread.tacv2;messageid=<root>`: the channel is the part before
    `;messageid=` (so per-channel settings match every thread of it) and the root message id is the thread.
    """
    conversation_id = activity.conversation.id if activity.conversation else None
    channel = conversation_id.split(";messageid=", 1)[0] if conversation_id else None
    thread = None
    if conversation_id and ";messageid=" in conversation_id:
        thread = conversation_id.split(";messageid=", 1)[1]
    elif not is_personal(activity):
        thread = activity.reply_to_id or activity.id
    else:
        thread = conversation_id
    return Place(
        platform="teams",
        team_id=tenant_id(activity),
        channel_id=channel,
        thread_id=thread,
        is_dm=is_personal(activity),
    )


def identity(activity: Activity, member: dict[str, Any] | None = None) -> Identity:
    """Who asked: the Teams user id, AAD object id, and (from the member lookup) UPN or email."""
    sender = activity.from_property
    member = member or {}
    email = member.get("email") or member.get("userPrincipalName") or member.get("user_principal_name")
    return Identity(
        user_id=(sender.id if sender else None) or "unknown",
        email=email.lower() if isinstance(email, str) and "@" in email else None,
        name=member.get("name") or (sender.name if sender else None),
        aad_object_id=member.get("aadObjectId") or (sender.aad_object_id if sender else None),
    )


def bot_was_added(activity: Activity) -> bool:
    """A conversationUpdate that adds this bot (an install into a team, group chat or personal scope)."""
    added = activity.members_added or []
    bot_id = activity.recipient.id if activity.recipient else None
    return any(m.id == bot_id for m in added if m is not None)


def bot_was_removed(activity: Activity) -> bool:
    removed = activity.members_removed or []
    bot_id = activity.recipient.id if activity.recipient else None
    return any(m.id == bot_id for m in removed if m is not None)


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    if data is None:
        return {}
    if isinstance(data, dict):
        return data
    dump = getattr(data, "model_dump", None)
    return dump(by_alias=True, exclude_none=True) if callable(dump) else {}


def strip_tags(text: str) -> str:
    """Any remaining `<at>` tags (mentions of other people) keep only their text."""
    return _AT_TAG.sub(lambda m: m.group(0)[4:-5], text)
