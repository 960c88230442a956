"""`qopt genie-setup`: the views, table descriptions and sample questions for a Genie space over qopt's data.

Without `--apply` it prints everything to paste (SQL in the Databricks dialect); with `--apply` it creates the
views through the configured warehouse (the embedded one included) and prints the texts for the space.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from qopt.config import load_settings
from qopt.errors import UsageError

DEFAULT_CATALOG = "main"
DEFAULT_SCHEMA = "qopt_genie"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("genie-setup", help="print (or --apply) the views and texts for a Genie space")
    p.add_argument("--catalog", help=f"catalog of the views (default {DEFAULT_CATALOG}; ignored by the embedded warehouse)")
    p.add_argument("--schema", default=DEFAULT_SCHEMA, help=f"schema of the views (default {DEFAULT_SCHEMA})")
    p.add_argument("--days", type=int, default=30, help="days of history the views cover (default 30)")
    p.add_argument("--apply", action="store_true", help="create the views through the configured warehouse")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from qopt.genie import setup

    settings = load_settings()
    if not 1 <= args.days <= 365:
        raise UsageError("--days must be between 1 and 365.")
    embedded = settings.warehouse == "duckdb"
    catalog = None if (embedded and args.apply) else (args.catalog or DEFAULT_CATALOG)
    if embedded and args.apply and args.catalog:
        print("note: the embedded warehouse has no catalogs; --catalog is ignored.", file=sys.stderr)
    target = setup.target(catalog, args.schema)
    statements = setup.statements(target, settings, days=args.days)
    if args.apply:
        asyncio.run(_apply(settings, statements))
        print(f"Created {len(statements) - 1} views in {target.schema_name}.", file=sys.stderr)
    views = setup.views(target, settings, days=args.days)
    if args.format == "json":
        print(json.dumps({
            "applied": bool(args.apply),
            "statements": statements,
            "tables": [{"name": target.name(v.name), "description": v.description} for v in views],
            "instructions": setup.INSTRUCTIONS,
            "sample_questions": list(setup.SAMPLE_QUESTIONS),
        }, ensure_ascii=False))
        return 0
    out: list[str] = []
    if not args.apply:
        out += ["-- Views for the Genie space (Databricks SQL). Run them, or use `qopt genie-setup --apply`.", ""]
        out += [s.rstrip() + ";\n" for s in statements]
    out += ["-- Add these tables to the Genie space, with these descriptions:", ""]
    out += [f"-- {target.name(v.name)}\n--   {v.description}\n" for v in views]
    out += ["-- General instructions for the space:", f"--   {setup.INSTRUCTIONS}", ""]
    out += ["-- Sample questions:"] + [f"--   {q}" for q in setup.SAMPLE_QUESTIONS]
    out += ["", "-- Then set QOPT_GENIE_SPACE_ID to the space's id (the part after /genie/rooms/ in its URL)."]
    print("\n".join(out))
    return 0


async def _apply(settings, statements: list[str]) -> None:  # noqa: ANN001 - Settings
    if settings.warehouse == "duckdb":
        from qopt.warehouse.duckdb import DuckDBWarehouse

        warehouse = DuckDBWarehouse(settings.resolved_duckdb_path, read_only=False)
    else:
        from qopt.app import open_warehouse

        warehouse = open_warehouse(settings)
    try:
        for statement in statements:
            await warehouse.query(statement, tag="cli.genie-setup")
    finally:
        await warehouse.close()
