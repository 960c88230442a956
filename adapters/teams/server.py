"""Mount Teams on the shared aiohttp application: `POST /api/messages`, plus the Teams notifier.

`setup(web_app, bot, settings)` is what `qopt.app.build_web_app` calls. It builds the SDK's aiohttp
`CloudAdapter` with our connector factory (retries, tokens from the bot's Entra app), the turn handler, and
the authentication wrapper, and keeps them on the application under `TEAMS`.
"""

from __future__ import annotations

import logging
import secrets
import warnings
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import OutboundHostValidator
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration
from pydantic import ValidationError

from adapters.teams.agent import QoptTeamsAgent, on_turn_error
from adapters.teams.auth import Authenticator, Unauthorized, auth_configuration, is_loopback
from adapters.teams.connector import RetryingClientFactory, RetryPolicy
from adapters.teams.notifier import MisconfiguredNotifier, TeamsNotifier
from adapters.teams.references import KeyValueStore, ReferenceStore
from qopt.config import Settings
from qopt.errors import ConfigError
from qopt.server import DRAIN_SECONDS, DRAINERS_KEY, STATUS_KEY

log = logging.getLogger("qopt.teams")

MESSAGES_PATH = "/api/messages"


@dataclass
class TeamsEndpoint:
    adapter: CloudAdapter
    agent: QoptTeamsAgent
    authenticator: Authenticator
    notifier: TeamsNotifier
    references: ReferenceStore

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            claims = await self.authenticator(request)
        except Unauthorized as exc:
            return web.json_response({"error": str(exc)}, status=401, headers={"WWW-Authenticate": "Bearer"})
        with warnings.catch_warnings():  # the SDK reads this string key, so a typed RequestKey cannot be used
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            request["claims_identity"] = claims
        try:
            response = await self.adapter.process(request, self.agent)
        except ValidationError:
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        except Exception:  # noqa: BLE001 - answer with an id, log the details
            error_id = secrets.token_hex(4)
            log.exception("Teams request failed (error id %s)", error_id)
            return web.json_response({"error": f"internal error (id {error_id})"}, status=500)
        return response if response is not None else web.Response(status=200)


TEAMS: web.AppKey[TeamsEndpoint] = web.AppKey("qopt.teams", TeamsEndpoint)


def build_adapter(
    config: AgentAuthConfiguration | None, policy: RetryPolicy | None = None, *, validate_service_url: bool = True
) -> CloudAdapter:
    """The SDK's aiohttp adapter with our connector factory and an error handler that never leaks details.

    In authenticated mode the SDK's outbound host validator is on: an activity's service URL must be an https
    Microsoft host (botframework.com, smba.trafficmanager.net, ...) and match the token's `serviceurl` claim,
    so a forwarded token can never make the bot send its own token elsewhere (401 otherwise).
    """
    connections = None
    if config is not None:
        from microsoft_agents.authentication.msal import MsalConnectionManager

        connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": config})
    adapter = CloudAdapter(
        channel_service_client_factory=RetryingClientFactory(connections, policy, _app_id(config)),
        host_validator=OutboundHostValidator(enabled=config is not None and validate_service_url),
    )
    adapter.on_turn_error = on_turn_error
    return adapter


def build_notifier(
    settings: Settings, state: KeyValueStore, *, policy: RetryPolicy | None = None
) -> TeamsNotifier | MisconfiguredNotifier:
    """A notifier without a server, for `qopt digest send --platform teams` and the scheduler.

    A wrong Teams configuration does not stop the other platforms: this notifier then refuses every post with
    the configuration problem as its reason.
    """
    try:
        config = auth_configuration(settings)
    except ConfigError as exc:
        return MisconfiguredNotifier(str(exc))
    return TeamsNotifier(build_adapter(config, policy), ReferenceStore(state), _app_id(config))


def setup(
    web_app: web.Application,
    bot: Any,
    settings: Settings,
    *,
    host: str | None = None,
    policy: RetryPolicy | None = None,
    progress_after: float = 2.0,
    state: KeyValueStore | None = None,
    validate_service_url: bool = True,
) -> TeamsEndpoint:
    """Serve Teams at `/api/messages` on `web_app`, answering through `bot.handle`.

    `host` is the address the server binds; local mode (no app id) refuses a non-loopback one. `state`
    defaults to the bot's state store (conversation references for proactive posts). `validate_service_url`
    exists for tests against a local connector only (see `build_adapter`).
    """
    config = auth_configuration(settings)
    if config is None and host is not None and not is_loopback(host):
        raise ConfigError(
            f"Teams without QOPT_TEAMS_APP_ID runs unauthenticated and only on loopback; {host} is not "
            "(set QOPT_TEAMS_APP_ID/PASSWORD/TENANT_ID, or bind 127.0.0.1)"
        )
    store = state if state is not None else bot.services.state
    references = ReferenceStore(store)
    adapter = build_adapter(config, policy, validate_service_url=validate_service_url)
    agent = QoptTeamsAgent(bot.handle, references, adapter=adapter, app_id=_app_id(config),
                           progress_after=progress_after)
    endpoint = TeamsEndpoint(
        adapter=adapter,
        agent=agent,
        authenticator=Authenticator(config),
        notifier=TeamsNotifier(adapter, references, _app_id(config)),
        references=references,
    )
    web_app[TEAMS] = endpoint
    web_app.router.add_post(MESSAGES_PATH, endpoint.handle)
    line = status_line(config)
    if STATUS_KEY in web_app:  # the shared server of `qopt serve`: report, and drain on its schedule
        web_app[STATUS_KEY].append(line)
        web_app[DRAINERS_KEY].append(agent.drain)
    else:

        async def drain(_: web.Application) -> None:
            await agent.drain(DRAIN_SECONDS)

        web_app.on_shutdown.append(drain)
    log.info(line)
    return endpoint


def status_line(config: AgentAuthConfiguration | None) -> str:
    if config is None:
        return (f"Teams: on at {MESSAGES_PATH}, local unauthenticated mode: loopback clients only "
                "(set QOPT_TEAMS_APP_ID, QOPT_TEAMS_APP_PASSWORD, QOPT_TEAMS_TENANT_ID for Teams itself)")
    return f"Teams: on at {MESSAGES_PATH} (app {config.CLIENT_ID}, tenant {config.TENANT_ID})"


def _app_id(config: AgentAuthConfiguration | None) -> str | None:
    return config.CLIENT_ID if config is not None else None
