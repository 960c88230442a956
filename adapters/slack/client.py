"""The Slack Web API client qopt uses: retries on rate limits (honouring Retry-After) and connection errors,
and a base URL that `QOPT_SLACK_API_URL` can point elsewhere (a proxy, or a local fake in tests)."""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from qopt.config import Settings

DEFAULT_BASE_URL = "https://slack.com/api/"
TIMEOUT_SECONDS = 30


def retry_handlers() -> list[Any]:
    """Three tries on 429 (sleeping Retry-After) and two on a dropped connection."""
    return [AsyncConnectionErrorRetryHandler(max_retry_count=2), AsyncRateLimitErrorRetryHandler(max_retry_count=3)]


def api_base_url(settings: Settings) -> str:
    url = (settings.slack_api_url or DEFAULT_BASE_URL).strip()
    return url if url.endswith("/") else url + "/"


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    """An AsyncWebClient with qopt's retry policy; `token` defaults to SLACK_BOT_TOKEN."""
    if token is None and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    return AsyncWebClient(
        token=token, base_url=api_base_url(settings), timeout=TIMEOUT_SECONDS, retry_handlers=retry_handlers()
    )


async def post_to_response_url(url: str, message: dict[str, Any]) -> int:
    """Post a message to a slash command's or button's `response_url`, with the same retry policy."""
    client = AsyncWebhookClient(url=url, timeout=TIMEOUT_SECONDS, retry_handlers=retry_handlers())
    response = await client.send_dict(message)
    return response.status_code
