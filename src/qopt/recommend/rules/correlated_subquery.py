"""`correlated_subquery`: a scalar subquery (select list, CASE, or compared in WHERE/HAVING) that references
columns of the outer query.

Correlation is read from qualifiers: a column inside the subquery qualified with a name only an enclosing query
defines. Unqualified columns resolve to the innermost query first (SQL scoping), so they are not correlation.
Not a finding: an uncorrelated subquery; a correlated EXISTS / NOT EXISTS / IN (Spark plans semi/anti joins).
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import Rule
from qopt.recommend.rules._ast import outer_references, scalar_subquery
from qopt.recommend.statement import Statement


def check(statement: Statement) -> list[Finding]:
    findings = []
    for sub in statement.nodes(exp.Subquery):
        if not scalar_subquery(sub):
            continue
        refs = outer_references(sub.this)
        if not refs:
            continue
        names = ", ".join(sorted({f"`{c.sql(dialect='databricks')}`" for c in refs}))
        message = (
            f"This scalar subquery depends on the outer row ({names}), so it is evaluated per outer row or "
            "decorrelated into an extra aggregate-and-join that Databricks cannot always do well. Compute it once: "
            "aggregate in a CTE grouped by the correlation key and `LEFT JOIN` it."
        )
        findings.append(RULE.finding(statement, sub, message))
    return findings


RULE = Rule(
    id="correlated_subquery",
    title="correlated scalar subquery runs per outer row",
    severity="high",
    check=check,
    reduction=0.3,
    assumption="one pre-aggregated join instead of a per-row subquery typically saves about 30%",
)
