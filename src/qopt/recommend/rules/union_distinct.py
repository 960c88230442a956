"""`union_distinct`: `UNION` without `ALL` — an extra shuffle to remove duplicates. Not a finding: `UNION ALL`.

A chain `a UNION b UNION c` is one finding. Rewrite: `UNION ALL`, equivalent only when the branches cannot
return the same row (and no branch returns duplicates of its own).
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import RewriteResult, Rule
from qopt.recommend.statement import Statement, query_parts


def _distinct_union(node: exp.Expression) -> bool:
    return isinstance(node, exp.Union) and bool(node.args.get("distinct"))


def _chain_head(node: exp.Union) -> bool:
    parent = node.parent
    while isinstance(parent, exp.Subquery) and not parent.alias:
        parent = parent.parent
    return not _distinct_union(parent) if parent is not None else True


def check(statement: Statement) -> list[Finding]:
    findings = []
    for union in statement.nodes(exp.Union):
        if not _distinct_union(union) or not _chain_head(union):
            continue
        message = (
            "`UNION` (without `ALL`) removes duplicate rows: Databricks shuffles the whole combined result to "
            "compare every row. If the branches cannot return the same row — different sources, disjoint filters "
            "or a column that tells them apart — use `UNION ALL`."
        )
        where = union.expression
        findings.append(RULE.finding(statement, where, message, prefix="UNION … "))
    return findings


def rewrite(statement: Statement) -> RewriteResult | None:
    tree = statement.tree.copy()
    changed = False
    for root in query_parts(tree):
        for union in list(root.find_all(exp.Union)):
            if _distinct_union(union):
                union.set("distinct", False)
                changed = True
    if not changed:
        return None
    return RewriteResult(
        tree,
        equivalent=False,
        note="Same rows only if duplicates cannot occur: the branches never return the same row.",
    )


RULE = Rule(
    id="union_distinct",
    title="UNION without ALL shuffles to remove duplicates",
    severity="low",
    check=check,
    rewrite=rewrite,
    reduction=0.1,
    assumption="the distinct shuffle is typically about 10% of such a query's work",
)
