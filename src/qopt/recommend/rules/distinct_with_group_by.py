"""`distinct_with_group_by`: `SELECT DISTINCT` on a query that also has `GROUP BY`. Not a finding: DISTINCT alone.

GROUP BY already returns one row per group; when every grouping key is in the select list the DISTINCT is a
second, useless aggregation. Rewrite: drop DISTINCT — equivalent when all keys are selected (checked).
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import RewriteResult, Rule
from qopt.recommend.statement import Statement, query_parts


def _plain_distinct(select: exp.Select) -> bool:
    distinct = select.args.get("distinct")
    return distinct is not None and not distinct.args.get("on")


def keys_selected(select: exp.Select) -> bool:
    """Every GROUP BY key appears in the select list (by position, alias or expression), or GROUP BY ALL."""
    group = select.args.get("group")
    if group is None:
        return False
    if group.args.get("all") or group.args.get("grouping_sets") or group.args.get("cube") or group.args.get("rollup"):
        return bool(group.args.get("all"))
    projections = [p.unalias() if isinstance(p, exp.Alias) else p for p in select.expressions]
    texts = {p.sql(dialect="databricks").lower() for p in projections}
    aliases = {p.alias.lower() for p in select.expressions if isinstance(p, exp.Alias)}
    for key in group.expressions:
        if isinstance(key, exp.Literal) and not key.is_string:
            continue  # GROUP BY 1: a position in the select list
        if isinstance(key, exp.Column) and not key.table and key.name.lower() in aliases:
            continue
        if key.sql(dialect="databricks").lower() not in texts:
            return False
    return True


def check(statement: Statement) -> list[Finding]:
    findings = []
    for select in statement.nodes(exp.Select):
        if not (_plain_distinct(select) and select.args.get("group")):
            continue
        message = (
            "`SELECT DISTINCT` with `GROUP BY`: the grouping already returns one row per group, so the DISTINCT "
            "is a second aggregation over the result (an extra shuffle). Drop the `DISTINCT`."
        )
        findings.append(RULE.finding(statement, select, message))
    return findings


def rewrite(statement: Statement) -> RewriteResult | None:
    tree = statement.tree.copy()
    changed = False
    for root in query_parts(tree):
        for select in list(root.find_all(exp.Select)):
            if _plain_distinct(select) and keys_selected(select):
                select.set("distinct", None)
                changed = True
    if not changed:
        return None
    return RewriteResult(tree, equivalent=True, note="Every grouping key is selected, so rows are already distinct.")


RULE = Rule(
    id="distinct_with_group_by",
    title="DISTINCT on a grouped query is a second aggregation",
    severity="low",
    check=check,
    rewrite=rewrite,
    reduction=0.05,
    assumption="the redundant aggregation is typically about 5% of the query's work",
)
