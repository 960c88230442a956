"""`qopt run "TEXT"`: run one chat message and print the reply."""

from __future__ import annotations

import argparse
import asyncio
import sys

from qopt.config import load_settings

FORMATS = ("text", "json", "slack", "teams")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("run", help="run one chat message and print the reply")
    p.add_argument("text", help='the message, e.g. "top --days 7 --limit 5"')
    p.add_argument("--as", dest="as_user", metavar="USER", help="ask as this user (an email)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from qopt.app import Bot, local_identity, render
    from qopt.bot.progress import reporting
    from qopt.bot.request import Place

    bot = Bot(load_settings())

    async def go():
        try:
            with reporting(lambda line: print(line, file=sys.stderr, flush=True)):  # progress goes to stderr
                return await bot.handle(args.text, local_identity(args.as_user), Place(platform="shell", channel_id="cli"))
        finally:
            await bot.close()

    reply = asyncio.run(go())
    out = render(reply, args.format)
    print(out if args.format != "text" else out.rstrip("\n"))
    if reply.ok:
        return 0
    print(f"qopt: {reply.text.splitlines()[0] if reply.text else 'the message was not accepted'}", file=sys.stderr)
    return 1 if reply.error_id else 2  # a failing service, or a message the bot could not accept
