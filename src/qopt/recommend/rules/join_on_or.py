"""`join_on_or`: a join condition that is an OR of equalities between the two sides.

Spark can hash- or sort-merge-join only on equality keys that every row must satisfy; `ON a.x = b.x OR a.y =
b.y` has none, so it falls back to a broadcast nested-loop join or a cartesian product plus filter. Not a finding:
an OR inside one side's filter (`ON a.id = b.id AND (b.t = 1 OR b.t = 2)`), or an OR next to a plain equality key.
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import Rule
from qopt.recommend.rules._ast import conjuncts, disjuncts, unparen
from qopt.recommend.statement import Statement


def _qualifiers(node: exp.Expression) -> set[str]:
    return {c.table.lower() for c in node.find_all(exp.Column)}


def cross_equality(node: exp.Expression) -> bool:
    """`a.x = b.y` (or `<=>`) with columns on both sides that are not plainly the same source."""
    node = unparen(node)
    if not isinstance(node, (exp.EQ, exp.NullSafeEQ)):
        return False
    left, right = _qualifiers(node.this), _qualifiers(node.expression)
    if not left or not right:
        return False
    if len(left) == 1 and left == right and "" not in left:
        return False  # both sides from the same table: a filter, not a link
    return True


def _has_cross_equality(term: exp.Expression) -> bool:
    return any(cross_equality(n) for n in term.walk() if isinstance(n, (exp.EQ, exp.NullSafeEQ)))


def check(statement: Statement) -> list[Finding]:
    findings = []
    for join in statement.nodes(exp.Join):
        on = join.args.get("on")
        if on is None:
            continue
        terms = conjuncts(on)
        if any(cross_equality(t) for t in terms):
            continue  # an equality key exists: Spark hash-joins on it and filters the OR afterwards
        for term in terms:
            if isinstance(term, exp.Or) and sum(_has_cross_equality(d) for d in disjuncts(term)) >= 1:
                message = (
                    "The join condition is an `OR` of equalities, so there is no single join key: Databricks "
                    "falls back to a nested-loop join that compares every pair of rows. Split it into one join "
                    "per alternative combined with `UNION ALL`, or join on a derived key; for a null-safe match "
                    "use `a.x <=> b.x`."
                )
                findings.append(RULE.finding(statement, term, message))
                break
    return findings


RULE = Rule(
    id="join_on_or",
    title="OR in a join condition forces a nested-loop join",
    severity="high",
    check=check,
    reduction=0.4,
    assumption="replacing a nested-loop join by hash joins typically removes about 40% of the cost",
)
