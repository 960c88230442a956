"""`qopt alerts check`: evaluate every alert rule now and post what fires (each once), like the scheduler does."""

from __future__ import annotations

import argparse
import asyncio
import sys

from qopt.cli.common import require_action
from qopt.config import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("alerts", help="check the alert rules now")
    sub = p.add_subparsers(dest="alerts_command", metavar="ACTION", parser_class=type(p))
    check = sub.add_parser("check", help="evaluate every rule once and post the alerts that fire")
    check.add_argument("--no-retry", action="store_true", help="do not retry failed posts that are due")
    check.set_defaults(func=main)
    require_action(p, "check")


def main(args: argparse.Namespace) -> int:
    from qopt.app import Bot, build_jobs

    bot = Bot(load_settings())

    async def go():
        try:
            jobs = build_jobs(bot)
            outcomes = await jobs.check_alerts()
            if not args.no_retry:
                outcomes += await jobs.retry_failed()
            return outcomes
        finally:
            await bot.close()

    outcomes = asyncio.run(go())
    for outcome in outcomes:
        print(outcome.message)
    sent = sum(o.status == "sent" for o in outcomes)
    failed = sum(not o.ok for o in outcomes)
    print(f"{sent} alert{'s' if sent != 1 else ''} posted, {failed} failed.", file=sys.stderr)
    return 1 if failed else 0
