"""The `qopt` command line. Each subcommand lives in its own module and registers itself in `COMMANDS`.

Exit status: 0 on success, 2 on bad usage or input (one line on stderr), 1 when a service fails.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from qopt import __version__
from qopt.errors import QoptError
from qopt.logs import configure as configure_logging

# Modules with `register(subparsers)`; each sets `func(args) -> int` on its parser.
COMMANDS = ["demo_data", "run", "shell", "sql", "serve", "digest", "alerts", "genie_setup", "doctor", "optimize"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qopt", description="Find and fix expensive, slow Databricks SQL.")
    parser.add_argument("--version", action="version", version=f"qopt {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    import importlib

    for name in COMMANDS:
        importlib.import_module(f"qopt.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(verbose=args.verbose)  # QOPT_LOG_FORMAT=json: one JSON object a line; secrets scrubbed
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except QoptError as exc:
        print(f"qopt: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `qopt run ... | head`: the reader left; nothing more to say
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
