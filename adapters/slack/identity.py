"""Slack user -> `Identity` (with the e-mail address access control keys on), via `users.info`, cached."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from qopt.bot.request import Identity

log = logging.getLogger("qopt.slack.identity")


class UserDirectory:
    """Looks people up once per `ttl_seconds`; a failed lookup still yields an Identity (without e-mail)."""

    def __init__(self, ttl_seconds: float = 3600, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._cache: OrderedDict[tuple[str, str], tuple[float, Identity]] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Future[Identity]] = {}

    async def identity(self, client: AsyncWebClient, user_id: str, team_id: str | None = None) -> Identity:
        key = (team_id or "", user_id)
        hit = self._cache.get(key)
        if hit and hit[0] > time.monotonic():
            self._cache.move_to_end(key)
            return hit[1]
        pending = self._pending.get(key)
        if pending is None:  # one users.info call per person, however many of their requests arrive at once
            pending = asyncio.ensure_future(self._look_up(client, key))
            self._pending[key] = pending
            pending.add_done_callback(lambda _f: self._pending.pop(key, None))
        return await asyncio.shield(pending)

    async def _look_up(self, client: AsyncWebClient, key: tuple[str, str]) -> Identity:
        user_id = key[1]
        try:
            response = await client.users_info(user=user_id)
            user = response.get("user") or {}
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return Identity(user_id=user_id)
        except (SlackClientError, OSError, asyncio.TimeoutError) as exc:  # answer anyway, without the e-mail
            log.warning("users.info failed for %s: %s", user_id, type(exc).__name__)
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
