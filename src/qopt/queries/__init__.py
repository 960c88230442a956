"""The SQL qopt runs against the system tables, written once in the Databricks dialect (`*.sql` here).

Values are never formatted into the text: every file uses `:name` parameters. A file whose leading comments
hold `-- uses: attribution` gets the CTEs of `attribution.sql` prepended (sqlglot composes the trees; a CTE
used twice appears once), so the attribution, the pricing and the grouping are each defined in one place.
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
    uses = _uses(text)
    if not uses:
        return text
    tree = sqlglot.parse_one(text, read="databricks")
    ctes: dict[str, exp.CTE] = {}
    for used in uses:
        base = sqlglot.parse_one(load(used), read="databricks")
        for cte in base.args["with_"].expressions:
            ctes.setdefault(cte.alias, cte.copy())
    own = tree.args.get("with_")
    tree.set("with_", exp.With(expressions=list(ctes.values()) + (own.expressions if own else [])))
    return tree.sql(dialect="databricks", comments=False)


def _uses(text: str) -> list[str]:
    """The files named by a `-- uses: a, b` line among the leading comments."""
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("--"):
            break
        if line.startswith("-- uses:"):
            return [u.strip() for u in line.removeprefix("-- uses:").split(",") if u.strip()]
    return []
