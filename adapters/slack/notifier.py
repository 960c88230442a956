"""The Slack `Notifier`: scheduled digests and alerts posted with `chat.postMessage`."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import render_message
from qopt.bot.reply import Reply
from qopt.notify import Delivery

log = logging.getLogger("qopt.slack.notifier")

# Errors a retry cannot fix: the channel or the app's access has to change first.
PERMANENT_ERRORS = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "restricted_action",
        "msg_too_long",
        "invalid_blocks",
        "no_text",
    }
)


class SlackNotifier:
    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, channel: str, reply: Reply) -> Delivery:
        try:
            response = await self.client.chat_postMessage(channel=channel, **render_message(reply))
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "slack_error")
            log.warning("chat.postMessage to %s failed: %s", channel, error)
            return Delivery(ok=False, error=_explain(error), retryable=error not in PERMANENT_ERRORS)
        except (SlackClientError, OSError, TimeoutError) as exc:
            log.warning("chat.postMessage to %s failed: %s", channel, type(exc).__name__)
            return Delivery(ok=False, error=f"Slack could not be reached ({type(exc).__name__})", retryable=True)
        return Delivery(ok=True, message_id=str(response.get("ts") or ""))


def _explain(error: str) -> str:
    if error == "not_in_channel":
        return "not_in_channel: invite the app to the channel (/invite @qopt)"
    if error == "channel_not_found":
        return "channel_not_found: check the channel id, and that the app can see the channel"
    return error
