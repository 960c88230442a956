"""`qopt sql "STATEMENT"`: the operator's tool; runs one Databricks-dialect statement on the configured warehouse."""

from __future__ import annotations

import argparse
import asyncio
import json

from qopt.config import load_settings
from qopt.errors import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sql", help="run one Databricks-dialect statement on the warehouse")
    p.add_argument("statement")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from qopt.app import open_warehouse

    if not args.statement.strip():
        raise UsageError("Give a SQL statement, e.g. qopt sql \"SELECT count(*) FROM system.query.history\".")
    warehouse = open_warehouse(load_settings())

    async def go():
        try:
            return await warehouse.query(args.statement, tag="cli.sql")
        finally:
            await warehouse.close()

    result = asyncio.run(go())
    rows = [[_scalar(v) for v in row] for row in result.rows]
    if args.format == "json":
        print(json.dumps({"columns": result.columns, "rows": rows}, ensure_ascii=False, default=str))
    else:
        from qopt.app import render
        from qopt.bot.reply import Reply, Table

        print(render(Reply(text="", blocks=[Table(columns=result.columns, rows=rows)]), "text").rstrip("\n"))
    return 0


def _scalar(value: object) -> object:
    """JSON-friendly: decimals as numbers, timestamps and dates as ISO text, structs and maps as they are."""
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value
