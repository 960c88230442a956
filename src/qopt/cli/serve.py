"""`qopt serve`: one aiohttp server for Slack (`/slack/events`), Teams (`/api/messages`), `/healthz`, `/metrics`.

Says at start which platforms are on and which are off (and why). SIGINT/SIGTERM stop it gracefully: no new
connections, in-flight answers get a bounded time to finish, then the services close.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import signal
import sys

from qopt.config import load_settings
from qopt.errors import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="serve Slack, Teams, /healthz and /metrics on one HTTP server")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"interface to listen on (default {DEFAULT_HOST}; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    from qopt.app import Bot

    bot = Bot(load_settings())
    asyncio.run(serve(bot, args.host, args.port))
    return 0


async def serve(bot, host: str, port: int) -> None:  # type: ignore[no-untyped-def]
    from aiohttp import web

    from qopt.app import build_web_app
    from qopt.server import STATUS_KEY

    web_app = build_web_app(bot, bot.settings)
    for line in web_app[STATUS_KEY]:
        print(line, file=sys.stderr)
    runner = web.AppRunner(web_app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {host} is already in use (choose another with --port)") from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound = runner.addresses  # the real port when --port 0 asked for a free one
    shown_port = bound[0][1] if bound else port
    print(f"qopt serving on http://{host}:{shown_port} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
            pass
    try:
        await stop.wait()
    finally:
        print("qopt: stopping (finishing answers in flight)…", file=sys.stderr, flush=True)
        await runner.cleanup()
