"""Outgoing calls to the Bot Framework connector: tokens, and retries with exponential backoff and jitter.

The SDK's `RestChannelServiceClientFactory` builds a fresh `TeamsConnectorClient` per turn without retries.
Ours builds the same client on an aiohttp session carrying a retry middleware, so every connector call of the
SDK (send, reply, update, member lookup) retries the statuses Teams asks clients to retry: 429, 412, 502, 504.
A `Retry-After` header is honoured (capped); otherwise the delay doubles per attempt with full jitter.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse, ClientSession, ClientTimeout
from microsoft_agents.hosting.core import ChannelServiceClientFactoryBase, TurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity, Connections
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.client import UserTokenClient
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

log = logging.getLogger("qopt.teams.connector")

RETRY_STATUSES = frozenset({412, 429, 502, 504})
TOKEN_SERVICE_URL = "https://api.botframework.com"


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base * 2**n)) seconds."""

    attempts: int = 5  # total tries, the first included
    base_seconds: float = 0.5
    cap_seconds: float = 20.0
    retry_after_cap_seconds: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), self.retry_after_cap_seconds)
            except ValueError:
                pass  # an HTTP date: fall back to our own backoff
        return self.rng.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt))

    def middleware(self) -> Callable[[ClientRequest, ClientHandlerType], Awaitable[ClientResponse]]:
        async def retry(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
            attempt = 0
            while True:
                response = await handler(request)
                if response.status not in RETRY_STATUSES or attempt + 1 >= self.attempts:
                    return response
                wait = self.delay(attempt, response.headers.get("Retry-After"))
                log.info("connector %s %s answered %s; retry %d in %.2f s", request.method, request.url.path,
                         response.status, attempt + 1, wait)
                response.release()
                await self.sleep(wait)
                attempt += 1

        return retry


def connector_session(service_url: str, policy: RetryPolicy, timeout_seconds: float = 30.0) -> ClientSession:
    base = service_url if service_url.endswith("/") else service_url + "/"
    return ClientSession(base_url=base, middlewares=(policy.middleware(),),
                         timeout=ClientTimeout(total=timeout_seconds))


class RetryingClientFactory(ChannelServiceClientFactoryBase):
    """Connector clients with retries; tokens from the configured connection, or none in local mode."""

    def __init__(
        self, connections: Connections | None, policy: RetryPolicy | None = None, app_id: str | None = None
    ) -> None:
        self.connections = connections
        self.policy = policy or RetryPolicy()
        self.app_id = app_id or "qopt-local"  # the SDK warns on every turn without one

    async def create_connector_client(
        self,
        context: TurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        if not service_url:
            raise TypeError("a service URL is needed to reach the connector")
        token = ""
        if self.connections is not None and not use_anonymous:
            provider = self.connections.get_token_provider(claims_identity, service_url)
            token = await provider.get_access_token(audience, scopes or claims_identity.get_token_scope()) or ""
        return TeamsConnectorClient(endpoint=service_url, token=token, session=connector_session(service_url, self.policy))

    async def create_user_token_client(
        self, context: TurnContext, claims_identity: ClaimsIdentity, use_anonymous: bool = False
    ) -> UserTokenClient:
        # qopt uses no user sign-in (OAuth cards); the client is created because the SDK's turn expects one,
        # and it makes no call unless asked.
        return UserTokenClient(endpoint=TOKEN_SERVICE_URL, token="", app_id=claims_identity.get_app_id() or self.app_id)
