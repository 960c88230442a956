"""`qopt demo-data`: write the embedded warehouse with a realistic synthetic workload."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from qopt.cli.common import iso_date
from qopt.config import load_settings
from qopt.errors import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo-data", help="write the embedded warehouse with a synthetic workload")
    p.add_argument("--path", type=Path, help="DuckDB file to write (default: QOPT_DUCKDB_PATH or the data directory)")
    p.add_argument("--days", type=int, default=90, help="days of history (default 90)")
    p.add_argument("--queries", type=int, default=100_000, help="statements in query history (default 100000)")
    p.add_argument("--seed", type=int, default=42, help="random seed; the same seed and end give the same data")
    p.add_argument("--end", type=iso_date, help="last day of the window, YYYY-MM-DD (default: today, UTC)")
    p.add_argument("--if-missing", action="store_true", help="do nothing when the file already holds a warehouse")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from qopt.demo.generator import generate

    settings = load_settings()
    path: Path = args.path or settings.resolved_duckdb_path
    if not 1 <= args.days <= 3650:
        raise UsageError("--days must be between 1 and 3650.")
    if not 0 <= args.queries <= 50_000_000:
        raise UsageError("--queries must be between 0 and 50000000.")
    if args.if_missing and path.is_file():
        print(f"Using the existing warehouse at {path}.", file=sys.stderr)
        return 0
    end = args.end or datetime.now(timezone.utc).date()
    stats = generate(path, days=args.days, queries=args.queries, seed=args.seed, end=end, progress=_progress)
    print(f"Wrote {path}: {stats}", file=sys.stderr)
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
