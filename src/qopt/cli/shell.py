"""`qopt shell`: chat with qopt in the terminal (one message a line when stdin is a pipe)."""

from __future__ import annotations

import argparse
import asyncio

from qopt.config import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("shell", help="interactive chat in the terminal")
    p.add_argument("--as", dest="as_user", metavar="USER", help="chat as this user (an email)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from qopt.app import Bot, shell

    bot = Bot(load_settings())

    async def go() -> None:
        try:
            await shell(bot, args.as_user)
        finally:
            await bot.close()

    asyncio.run(go())
    return 0
