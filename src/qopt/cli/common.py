"""Small argparse pieces several subcommands share."""

from __future__ import annotations

import argparse
import sys
from datetime import date


def iso_date(text: str) -> date:
    """An argparse type: YYYY-MM-DD, refused in one line otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def require_action(parser: argparse.ArgumentParser, actions: str) -> None:
    """`qopt digest` with no action: print the usage and a one-line reason, exit 2."""

    def missing(_args: argparse.Namespace) -> int:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: choose an action ({actions})", file=sys.stderr)
        return 2

    parser.set_defaults(func=missing)
