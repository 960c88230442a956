"""What a text rule is: an id, a default severity, a pure check, an optional rewrite, and a saving assumption.

`check(statement)` returns findings; `rewrite(statement)` returns a rewritten copy of the statement tree (or
None when no mechanical rewrite applies). Both only read the statement (rules never mutate the parsed tree).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from qopt.recommend.finding import Finding, Severity
from qopt.recommend.statement import Statement


@dataclass(frozen=True)
class RewriteResult:
    tree: exp.Expression
    equivalent: bool
    note: str = ""


Check = Callable[[Statement], list[Finding]]
RewriteFn = Callable[[Statement], "RewriteResult | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str  # one line for tables and help
    severity: Severity
    check: Check
    reduction: float  # expected share of the query's cost the fix removes (savings estimate)
    assumption: str  # how the reduction was chosen, stated with every saving
    rewrite: RewriteFn | None = None

    def finding(self, statement: Statement, node: exp.Expression, message: str, **fields: object) -> Finding:
        """A finding of this rule located at `node`."""
        where = statement.locate(node, prefix=str(fields.pop("prefix", "")))
        severity = fields.pop("severity", None) or self.severity
        return Finding(rule=self.id, severity=severity, message=message, **where, **fields)  # type: ignore[arg-type]
