"""Mount the Slack app on the shared aiohttp application (`qopt serve`), or run it over Socket Mode."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from adapters.slack.app import SlackAdapter, slack_mode
from qopt.config import Settings

log = logging.getLogger("qopt.slack")

EVENTS_PATH = "/slack/events"
ADAPTER_KEY: web.AppKey[SlackAdapter] = web.AppKey("slack_adapter", SlackAdapter)


def setup(web_app: web.Application, bot: Any, settings: Settings, **options: Any) -> tuple[SlackAdapter | None, str]:
    """Serve Slack on `web_app` when its settings are present. Returns (adapter or None, a line for the log)."""
    mode, why = slack_mode(settings)
    if mode == "off":
        return None, f"Slack: off ({why})"
    adapter = SlackAdapter(settings, bot.handle, router=bot.router, state=bot.services.state, mode=mode, **options)
    web_app[ADAPTER_KEY] = adapter
    if mode == "socket":
        web_app.cleanup_ctx.append(_socket_mode(adapter, settings))
        return adapter, f"Slack: on ({why})"

    async def events(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        if adapter.acks_early(bolt_request):
            # A verified `/qopt` command or qopt button: answer Slack now and let bolt run the listener behind.
            # Bolt would answer too, but only after its listener task has called ack() and its 10 ms poll has seen
            # it; on a loop busy with twenty answers that is where the acknowledgement time went.
            adapter.dispatch_in_background(bolt_request)
            return web.Response(status=200)
        bolt_response = await adapter.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    web_app.router.add_post(EVENTS_PATH, events)
    flow = adapter.app.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        web_app.router.add_get(flow.install_path, install)
        web_app.router.add_get(flow.redirect_uri_path, redirect)
    return adapter, f"Slack: on at {EVENTS_PATH} ({why})"


def _socket_mode(adapter: SlackAdapter, settings: Settings):  # type: ignore[no-untyped-def]
    async def run(_: web.Application):  # type: ignore[no-untyped-def]
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        token = settings.slack_app_token.get_secret_value()  # type: ignore[union-attr]
        handler = AsyncSocketModeHandler(adapter.app, token)
        await handler.connect_async()
        try:
            yield
        finally:
            await handler.close_async()

    return run
