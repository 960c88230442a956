"""`qopt digest send`: post one channel's digest now, through the scheduler's own code path (once per day)."""

from __future__ import annotations

import argparse
import asyncio

from qopt.cli.common import iso_date, require_action
from qopt.config import load_settings
from qopt.errors import ServiceError, UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("digest", help="send a channel's cost digest now")
    sub = p.add_subparsers(dest="digest_command", metavar="ACTION", parser_class=type(p))
    send = sub.add_parser("send", help="post the digest of a day into a channel (not twice)")
    send.add_argument("--platform", required=True, choices=("slack", "teams"))
    send.add_argument("--channel", required=True, help="Slack channel id or Teams conversation id")
    send.add_argument("--date", type=iso_date, help="the digest's date, YYYY-MM-DD; it covers the day before "
                      "(default: today in the subscription's or QOPT_TIMEZONE's zone)")
    send.add_argument("--weekly", action="store_true", help="the weekly digest (the 7 days before the date)")
    send.set_defaults(func=main)
    require_action(p, "send")


def main(args: argparse.Namespace) -> int:
    from qopt.app import Bot, build_jobs

    channel = args.channel.strip()
    if not channel:
        raise UsageError("--channel needs a channel id")
    bot = Bot(load_settings())

    async def go():
        try:
            jobs = build_jobs(bot)
            return await jobs.send_digest(
                args.platform, channel, args.date, frequency="weekly" if args.weekly else None, retry_now=True
            )
        finally:
            await bot.close()

    outcome = asyncio.run(go())
    if outcome.status == "no_notifier":
        raise UsageError(outcome.message + " (set SLACK_BOT_TOKEN, or the Teams settings)")
    if not outcome.ok:
        raise ServiceError(outcome.message)
    print(outcome.message)
    return 0
