"""Slack: Block Kit rendering (`blocks`), the bolt app (`app`), its mounting on the shared server (`web`) and
the scheduler's notifier (`notifier`)."""

from __future__ import annotations

from typing import Any


def setup(web_app: Any, bot: Any, settings: Any, **options: Any) -> tuple[Any, str]:
    """Mount Slack on the shared aiohttp application when configured (see `adapters.slack.web.setup`)."""
    from adapters.slack.web import setup as _setup

    return _setup(web_app, bot, settings, **options)


def notifier(settings: Any) -> Any:
    """A `qopt.notify.Notifier` posting with SLACK_BOT_TOKEN (None when Slack is not configured)."""
    if settings.slack_bot_token is None:
        return None
    from adapters.slack.client import web_client
    from adapters.slack.notifier import SlackNotifier

    return SlackNotifier(web_client(settings))
