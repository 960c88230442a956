"""Who may post to `/api/messages`: Bot Framework JWTs, or nobody-but-loopback in local mode.

The SDK's validator (`JwtTokenValidator`) checks the signature against the Bot Framework / Entra keys. It is
wrapped so that every problem with a present Authorization header is a 401, never a 500: a malformed header or
token, a wrong algorithm, issuer or audience, an expired token, and any error while validating (the SDK raises
plain exceptions for some garbage, and fetching the signing keys can fail). Cheap checks of the unverified
claims come first, so a token that could never pass costs no key fetch.

Local mode (no `QOPT_TEAMS_APP_ID`): requests without Authorization are accepted only on a loopback socket, and
any Authorization header is refused — there is no app id to check a token's audience against.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from typing import Any

import jwt
from aiohttp import web
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, ClaimsIdentity, JwtTokenValidator

from qopt.config import Settings
from qopt.errors import ConfigError

log = logging.getLogger("qopt.teams.auth")

LEEWAY_SECONDS = 300  # the SDK's own clock-skew allowance
ALGORITHMS = ("RS256",)


class Unauthorized(Exception):
    """The request's credentials are not acceptable; the message is safe to return."""


def auth_configuration(settings: Settings) -> AgentAuthConfiguration | None:
    """The SDK configuration of the bot's Entra app, or None for local unauthenticated mode."""
    app_id = (settings.teams_app_id or "").strip()
    if not app_id:
        return None
    password = settings.teams_app_password.get_secret_value() if settings.teams_app_password else ""
    tenant = (settings.teams_tenant_id or "").strip()
    if not password:
        raise ConfigError("QOPT_TEAMS_APP_PASSWORD: required when QOPT_TEAMS_APP_ID is set")
    if not tenant:
        raise ConfigError("QOPT_TEAMS_TENANT_ID: required when QOPT_TEAMS_APP_ID is set (single-tenant bot)")
    return AgentAuthConfiguration(client_id=app_id, tenant_id=tenant, client_secret=password, validate_issuer=True)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Authenticator:
    def __init__(self, config: AgentAuthConfiguration | None) -> None:
        self.config = config
        self.validator = JwtTokenValidator(config) if config is not None else None

    @property
    def local_mode(self) -> bool:
        return self.config is None

    async def __call__(self, request: web.Request) -> ClaimsIdentity:
        """The caller's claims; raises Unauthorized (never anything else) when they are not acceptable."""
        header = request.headers.get("Authorization")
        if self.config is None or self.validator is None:
            if header is not None:
                raise Unauthorized("this bot runs without an app id and accepts no tokens")
            if not _on_loopback(request):
                raise Unauthorized("local mode (no QOPT_TEAMS_APP_ID) serves loopback clients only")
            return ClaimsIdentity()  # empty claims: the SDK's anonymous identity
        if header is None:
            raise Unauthorized("Authorization header required")
        token = _bearer(header)
        self._precheck(token)
        try:
            return await self.validator.validate_token(token)
        except Exception as exc:  # noqa: BLE001 - every validation failure is the caller's 401
            log.warning("token rejected by the validator (%s)", type(exc).__name__)
            raise Unauthorized("invalid token") from None

    def _precheck(self, token: str) -> None:
        """Reject without any network call what the signature check could never accept."""
        assert self.config is not None
        try:
            header = jwt.get_unverified_header(token)
            claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        except Exception:  # noqa: BLE001 - garbage of any shape
            raise Unauthorized("malformed token") from None
        if header.get("alg") not in ALGORITHMS or not isinstance(header.get("kid"), str):
            raise Unauthorized("unsupported token signature")
        issuer = claims.get("iss")
        if not isinstance(issuer, str) or issuer.lower() not in {i.lower() for i in self.config.ISSUERS}:
            raise Unauthorized("token from an unexpected issuer")
        audience = claims.get("aud")
        if not isinstance(audience, str) or audience.lower() != str(self.config.CLIENT_ID).lower():
            raise Unauthorized("token for another audience")
        expires = claims.get("exp")
        if not isinstance(expires, (int, float)) or expires < time.time() - LEEWAY_SECONDS:
            raise Unauthorized("token expired")


def _bearer(header: str) -> str:
    parts = header.strip().split()
    if len(parts) != 2 or parts[0].lower() != "bearer" or parts[1].count(".") != 2:
        raise Unauthorized("malformed Authorization header")
    return parts[1]


def _on_loopback(request: web.Request) -> bool:
    """Both ends of the connection are loopback addresses."""
    transport = request.transport
    local = transport.get_extra_info("sockname") if transport else None
    local_host = local[0] if isinstance(local, (tuple, list)) and local else None
    return is_loopback(local_host) and is_loopback(request.remote)
