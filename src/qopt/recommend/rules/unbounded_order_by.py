"""`unbounded_order_by`: ORDER BY on the outermost query without LIMIT — a global sort of the whole result.

Not a finding: ORDER BY inside `OVER (...)` or inside an aggregate (those are not a query's `order`), or with
a LIMIT. A grouped result is usually small, so there the finding is low.
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import Rule
from qopt.recommend.statement import Statement


def limited(query: exp.Expression) -> bool:
    return bool(query.args.get("limit") or query.args.get("fetch"))


def check(statement: Statement) -> list[Finding]:
    findings = []
    for query in statement.roots[:1]:
        if not isinstance(query, exp.Query):
            continue
        order = query.args.get("order")
        if order is None or limited(query):
            continue
        grouped = isinstance(query, exp.Select) and bool(query.args.get("group"))
        message = (
            "`ORDER BY` without `LIMIT` sorts the whole result globally: Databricks shuffles every row into "
            "one ordered range before returning anything. Add a `LIMIT`, or leave the sorting to the dashboard "
            "or client that shows the rows."
        )
        findings.append(RULE.finding(statement, order, message, prefix="", severity="low" if grouped else None))
    return findings


RULE = Rule(
    id="unbounded_order_by",
    title="ORDER BY without LIMIT sorts the whole result",
    severity="medium",
    check=check,
    reduction=0.1,
    assumption="a global sort is typically about 10% of such a query's work",
)
