"""`cartesian_join`: CROSS JOIN, a comma join, or JOIN without condition, where no predicate links the two sides.

Not a finding: a cross join to a one-row relation (a global aggregate, a SELECT without FROM, LIMIT 1),
`LATERAL VIEW explode`, table-valued generators, and a comma join that WHERE links (that is `implicit_join`).
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import Rule
from qopt.recommend.rules._joins import analyse
from qopt.recommend.statement import Statement

_WORDING = {"comma": "A comma join", "cross": "`CROSS JOIN`", "no condition": "`JOIN` without a condition", "on": "`JOIN`"}


def check(statement: Statement) -> list[Finding]:
    findings = []
    for select in statement.nodes(exp.Select):
        for info in analyse(statement, select):
            if info.linked_by_on or info.linked_by_where or info.exempt:
                continue
            name = info.name or info.join.this.sql(dialect="databricks")
            message = (
                f"{_WORDING[info.kind]} to `{name}` with no predicate linking it to the other tables: every row "
                "is paired with every row (a cartesian product): Databricks must broadcast or shuffle one side to every "
                "task, and rows, run time and cost multiply. Add the "
                "join condition (`JOIN … ON a.key = b.key`); if one side really is a single row, make that explicit "
                "with an aggregate or `LIMIT 1`."
            )
            findings.append(RULE.finding(statement, info.join, message))
    return findings


RULE = Rule(
    id="cartesian_join",
    title="a join with no condition multiplies the rows",
    severity="high",
    check=check,
    reduction=0.5,
    assumption="a missing join condition typically at least doubles the work: fixing it halves the cost",
)
