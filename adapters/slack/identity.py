"""Slack user -> `Identity` (with the e-mail address access control keys on), via `users.info`, cached."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from qopt.bot.request import Identity

log = logging.getLogger("qopt.slack.identity")


class UserDirectory:
    """Looks people up once per `ttl_seconds`; a failed lookup still yields an Identity (without e-mail)."""

    def __init__(self, ttl_seconds: float = 3600, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._cache: OrderedDict[tuple[str, str], tuple[float, Identity]] = OrderedDict()

    async def identity(self, client: AsyncWebClient, user_id: str, team_id: str | None = None) -> Identity:
        key = (team_id or "", user_id)
        hit = self._cache.get(key)
        if hit and hit[0] > time.monotonic():
            self._cache.move_to_end(key)
            return hit[1]
        try:
            response = await client.users_info(user=user_id)
            user = response.get("user") or {}
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return Identity(user_id=user_id)
        profile = user.get("profile") or {}
        email = profile.get("email")
        identity = Identity(
            user_id=user_id,
            email=email.lower() if isinstance(email, str) and email else None,
            name=profile.get("real_name") or user.get("real_name") or user.get("name"),
        )
        self._cache[key] = (time.monotonic() + self.ttl, identity)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return identity
