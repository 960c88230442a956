"""`implicit_join` (low): a comma join, CROSS JOIN or condition-less JOIN whose link is in WHERE.

Spark turns it into a proper join, so it costs nothing by itself; but one forgotten WHERE term silently
becomes a cartesian product. Write the condition in `JOIN … ON`.
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import Rule
from qopt.recommend.rules._joins import analyse
from qopt.recommend.statement import Statement


def check(statement: Statement) -> list[Finding]:
    findings = []
    for select in statement.nodes(exp.Select):
        for info in analyse(statement, select):
            if info.kind == "on" or info.linked_by_on or not info.linked_by_where or info.exempt or not info.name:
                continue
            message = (
                f"`{info.name}` is joined {'with a comma' if info.kind == 'comma' else 'without ON'} and linked only "
                "in WHERE. Databricks plans it as a normal join, but the condition is easy to lose, and without it "
                "the query becomes a cartesian product. Move the link into `JOIN … ON`."
            )
            findings.append(RULE.finding(statement, info.join, message))
    return findings


RULE = Rule(
    id="implicit_join",
    title="join linked only in WHERE",
    severity="low",
    check=check,
    reduction=0.0,
    assumption="style only: the optimizer already plans it as a join",
)
