"""`order_by_in_subquery`: ORDER BY without LIMIT in a subquery or CTE — the sort is wasted work.

Not a finding: the same with a LIMIT (then the order decides which rows are kept), ORDER BY inside OVER (...)
or an aggregate, and the outermost query (that is `unbounded_order_by`).
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import Rule
from qopt.recommend.rules.unbounded_order_by import limited
from qopt.recommend.statement import Statement


def check(statement: Statement) -> list[Finding]:
    findings = []
    outer = statement.outer_queries
    for query in statement.nodes(exp.Select, exp.SetOperation):
        if id(query) in outer:
            continue
        order = query.args.get("order")
        if order is None or limited(query):
            continue
        where = "CTE" if _direct_cte(query) else "subquery"
        message = (
            f"`ORDER BY` in a {where} without `LIMIT` sorts rows that the enclosing query does not keep in that "
            "order: Spark may drop the sort or pay for it for nothing. Remove it, and sort once in the outermost "
            "query if the result must be ordered."
        )
        findings.append(RULE.finding(statement, order, message))
    return findings


def _direct_cte(query: exp.Expression) -> bool:
    parent = query.parent
    while isinstance(parent, exp.Subquery):
        parent = parent.parent
    return isinstance(parent, exp.CTE)


RULE = Rule(
    id="order_by_in_subquery",
    title="ORDER BY in a subquery or CTE is wasted work",
    severity="low",
    check=check,
    reduction=0.05,
    assumption="a wasted sort is typically about 5% of the query's work",
)
