"""The shared aiohttp application of `qopt serve`: health, metrics, HTTP timing and graceful shutdown.

Chat platforms are mounted on it by the composition root (`qopt.app.build_web_app`); this module knows none.
- `/healthz`: 200 once the warehouse and the state store answer, 503 (with the reason) until then.
- `/metrics`: Prometheus text (`qopt.metrics`).
- Shutdown: aiohttp stops accepting, then every registered drainer may finish in-flight answers (bounded),
  then the bot's services are closed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from qopt.metrics import Metrics

log = logging.getLogger("qopt.server")

METRICS_KEY: web.AppKey[Metrics] = web.AppKey("metrics", Metrics)
STATUS_KEY: web.AppKey[list[str]] = web.AppKey("status_lines", list)
DRAINERS_KEY: web.AppKey[list[Callable[[float], Awaitable[Any]]]] = web.AppKey("drainers", list)
HEALTH_TIMEOUT_SECONDS = 5.0
DRAIN_SECONDS = 20.0


def create_web_app(services: Any, metrics: Metrics, *, close: Callable[[], Awaitable[None]] | None = None) -> web.Application:
    app = web.Application(middlewares=[_timing(metrics)], client_max_size=2 * 1024 * 1024)
    app[METRICS_KEY] = metrics
    app[STATUS_KEY] = []
    app[DRAINERS_KEY] = []

    async def healthz(_: web.Request) -> web.Response:
        problems = await check_health(services)
        if problems:
            return web.json_response({"status": "starting", "problems": problems}, status=503)
        return web.json_response({"status": "ok"})

    async def metrics_page(_: web.Request) -> web.Response:
        return web.Response(text=metrics.render(), content_type="text/plain", charset="utf-8")

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)

    async def drain(app: web.Application) -> None:
        for drainer in app[DRAINERS_KEY]:
            await drainer(DRAIN_SECONDS)

    app.on_shutdown.append(drain)
    if close is not None:

        async def closing(_: web.Application) -> None:
            await close()

        app.on_cleanup.append(closing)
    return app


async def check_health(services: Any) -> list[str]:
    """What does not answer yet: [] when the warehouse and the state store both do."""
    problems: list[str] = []
    try:
        await asyncio.wait_for(services.warehouse.ping(), HEALTH_TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason is shown without secrets
        problems.append(f"warehouse: {_reason(exc)}")
    if services.state is not None:
        try:
            await asyncio.wait_for(services.state.kv_get("qopt.health", "ping"), HEALTH_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"state store: {_reason(exc)}")
    return problems


def _reason(exc: BaseException) -> str:
    from qopt.errors import QoptError

    if isinstance(exc, QoptError):
        return str(exc)
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer in time"
    return type(exc).__name__


def _timing(metrics: Metrics):  # type: ignore[no-untyped-def]
    @web.middleware
    async def middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
            metrics.observe_http(route, request.method, status, time.perf_counter() - started)

    return middleware
