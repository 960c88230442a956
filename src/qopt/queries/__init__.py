"""The SQL qopt runs against the system tables, written once in the Databricks dialect (`*.sql` here).

Values are never formatted into the text: every file uses `:name` parameters. A file whose first line is
`-- uses: attribution` gets the cost-attribution CTEs of `attribution.sql` prepended (sqlglot composes the
two trees), so the attribution is defined in exactly one place.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import sqlglot
from sqlglot import exp


@cache
def load(name: str) -> str:
    """The statement in `<name>.sql`, with the CTEs it declares it uses prepended."""
    text = resources.files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if not first.startswith("-- uses:"):
        return text
    tree = sqlglot.parse_one(text, read="databricks")
    ctes: list[exp.CTE] = []
    for used in (u.strip() for u in first.removeprefix("-- uses:").split(",")):
        base = sqlglot.parse_one(load(used), read="databricks")
        ctes.extend(cte.copy() for cte in base.args["with_"].expressions)
    own = tree.args.get("with_")
    tree.set("with_", exp.With(expressions=ctes + (own.expressions if own else [])))
    return tree.sql(dialect="databricks", comments=False)
