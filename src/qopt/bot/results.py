"""A table block that also carries its full result, for adapters that can attach a file.

`ResultTable` is a `Table` (rendered like any other; the JSON contract is unchanged) whose `all_rows` holds every
row of the result, not only the first ones shown. `all_rows` is excluded from the JSON form. An adapter that can
upload files (Slack) checks `full_rows(block)` and, when there are more rows than it can show, attaches
`csv_text(block)` as a CSV file.
"""

from __future__ import annotations

import csv
import io

from pydantic import Field

from qopt.bot.reply import Scalar, Table


class ResultTable(Table):
    all_rows: list[list[Scalar]] | None = Field(default=None, exclude=True)
    filename: str = Field(default="result.csv", exclude=True)


def full_rows(block: object) -> list[list[Scalar]] | None:
    """Every row of a table block when it carries them (a ResultTable), else None."""
    return getattr(block, "all_rows", None) if isinstance(block, Table) else None


def csv_text(block: Table) -> str:
    """The whole table as CSV (header row first); the shown rows when no full result is attached."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(block.columns)
    for row in full_rows(block) or block.rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()
