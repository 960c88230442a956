"""Multi-workspace installs: slack_sdk's installation and OAuth-state stores, kept in qopt's state store.

Used when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set; bolt then serves `/slack/install` and
`/slack/oauth_redirect` and looks the bot token up per workspace here. Values are slack_sdk's own model dicts.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

INSTALLATIONS = "slack.installations"
BOTS = "slack.bots"
OAUTH_STATES = "slack.oauth_states"
_NONE = "none"


def _team_key(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> str:
    return f"{enterprise_id or _NONE}:{_NONE if is_enterprise_install else (team_id or _NONE)}"


class StateInstallationStore(AsyncInstallationStore):
    def __init__(self, state: Any, logger: logging.Logger | None = None) -> None:
        self.state = state
        self._logger = logger or logging.getLogger("qopt.slack.oauth")

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    async def async_save(self, installation: Installation) -> None:
        team = _team_key(installation.enterprise_id, installation.team_id, installation.is_enterprise_install)
        data = dict(installation.__dict__)
        await self.state.kv_put(INSTALLATIONS, f"{team}:latest", data)
        await self.state.kv_put(INSTALLATIONS, f"{team}:{installation.user_id or _NONE}", data)
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        if bot.bot_token is None:
            return
        team = _team_key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        await self.state.kv_put(BOTS, team, dict(bot.__dict__))

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        data = await self.state.kv_get(BOTS, _team_key(enterprise_id, team_id, is_enterprise_install))
        return Bot(**data) if data else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        team = _team_key(enterprise_id, team_id, is_enterprise_install)
        data = await self.state.kv_get(INSTALLATIONS, f"{team}:{user_id or 'latest'}")
        return Installation(**data) if data else None

    async def async_delete_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> None:
        await self.state.kv_delete(BOTS, _team_key(enterprise_id, team_id, is_enterprise_install))

    async def async_delete_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> None:
        team = _team_key(enterprise_id, team_id, is_enterprise_install)
        if user_id:
            await self.state.kv_delete(INSTALLATIONS, f"{team}:{user_id}")
            return
        for key in await self.state.kv_list(INSTALLATIONS, prefix=f"{team}:"):
            await self.state.kv_delete(INSTALLATIONS, key)

    async def async_delete_all(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> None:
        await self.async_delete_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        await self.async_delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )


class StateOAuthStateStore(AsyncOAuthStateStore):
    """One-time `state` values of the OAuth flow (ten minutes), shared by replicas."""

    def __init__(self, state: Any, ttl_seconds: float = 600, logger: logging.Logger | None = None) -> None:
        self.state = state
        self.ttl = ttl_seconds
        self._logger = logger or logging.getLogger("qopt.slack.oauth")

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        value = secrets.token_urlsafe(24)
        await self.state.kv_put(OAUTH_STATES, value, {}, ttl_seconds=self.ttl)
        return value

    async def async_consume(self, state: str) -> bool:
        return await self.state.kv_delete(OAUTH_STATES, state)
