"""`leading_wildcard_like`: a LIKE / ILIKE filter whose pattern starts with `%` or `_`.

Data skipping keeps min/max statistics per file; a pattern with a fixed prefix can use them, one that starts
with a wildcard cannot. Only filters count (WHERE, HAVING, QUALIFY, join conditions): a LIKE in the select list
skips nothing either way. Not a finding: `LIKE 'abc%'`, a `%` only inside or at the end.
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import Rule
from qopt.recommend.rules._ast import predicates, unparen
from qopt.recommend.statement import Statement


def _leading_literal(pattern: exp.Expression) -> exp.Literal | None:
    """The literal the pattern starts with: the pattern itself, or the first part of a concatenation."""
    pattern = unparen(pattern)
    while isinstance(pattern, (exp.DPipe, exp.Concat)):
        parts = pattern.expressions if isinstance(pattern, exp.Concat) else [pattern.this, pattern.expression]
        if not parts:
            return None
        pattern = unparen(parts[0])
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        return pattern
    return None


def _patterns(node: exp.Expression) -> list[exp.Expression]:
    """`LIKE 'x'` has one pattern; `LIKE ANY ('x', 'y')` / `LIKE ALL (...)` several."""
    pattern = node.expression
    if isinstance(pattern, (exp.Any, exp.All)):
        inner = unparen(pattern.this)
        return list(inner.expressions) if isinstance(inner, exp.Tuple) else [inner]
    return [pattern]


def _filters(statement: Statement) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    for kind in (exp.Where, exp.Having, exp.Qualify):
        out.extend(statement.nodes(kind))
    for join in statement.nodes(exp.Join):
        if join.args.get("on") is not None:
            out.append(join.args["on"])
    return out


def check(statement: Statement) -> list[Finding]:
    findings = []
    seen: set[int] = set()
    for condition in _filters(statement):
        for predicate in predicates(condition):
            if not isinstance(predicate, (exp.Like, exp.ILike)) or id(predicate) in seen:
                continue
            seen.add(id(predicate))
            for pattern in _patterns(predicate):
                literal = _leading_literal(pattern)
                if literal is None or not literal.this[:1] in ("%", "_"):
                    continue
                column = predicate.this.sql(dialect="databricks")
                message = (
                    f"`{column} {'ILIKE' if isinstance(predicate, exp.ILike) else 'LIKE'} '{literal.this}'` starts "
                    "with a wildcard, so Databricks cannot skip any file by its min/max statistics and reads the "
                    "whole column. Match a fixed prefix if you can (`LIKE 'abc%'`), keep a derived column you can "
                    "filter on exactly, or narrow the scan with another filter first."
                )
                col = predicate.this.name if isinstance(predicate.this, exp.Column) else None
                findings.append(RULE.finding(statement, predicate, message, column=col))
                break
    return findings


RULE = Rule(
    id="leading_wildcard_like",
    title="LIKE '%…' cannot skip files",
    severity="medium",
    check=check,
    reduction=0.15,
    assumption="a selective prefix filter typically lets data skipping avoid about 15% of the scan",
)
