"""`qopt doctor`: a checklist of qopt's configuration and services, with the fix for each failure.

Exit status 0 when nothing failed (skipped items are fine: an unset optional service is off), 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging

from qopt.checks import Check, run_checks
from qopt.config import load_settings

MARKS = {"ok": "[ok]  ", "fail": "[FAIL]", "skip": "[skip]"}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("doctor", help="check settings, Databricks access, system tables, Genie, Slack, Teams, state")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=main)


def render(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = ["qopt doctor"]
    for c in checks:
        lines.append(f"  {MARKS[c.status]} {c.name.ljust(width)}  {c.detail}")
        if c.fix:
            lines.append(f"  {' ' * len(MARKS['ok'])} {' ' * width}  fix: {c.fix}")
    failed = sum(c.status == "fail" for c in checks)
    lines.append(f"{failed} check{'s' if failed != 1 else ''} failed." if failed else "All checks passed.")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    logging.getLogger("databricks.sdk").setLevel(logging.ERROR)  # its retry/metadata warnings are not the checklist
    checks = asyncio.run(run_checks(load_settings))
    if args.format == "json":
        print(json.dumps({"ok": not any(c.status == "fail" for c in checks), "checks": [c.as_dict() for c in checks]},
                         ensure_ascii=False))
    else:
        print(render(checks))
    return 1 if any(c.status == "fail" for c in checks) else 0
