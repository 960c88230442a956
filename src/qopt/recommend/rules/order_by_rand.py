"""`order_by_rand`: `ORDER BY rand()` / `random()` — a full sort of every row just to take a random sample.

Not a finding: `rand()` elsewhere (select list, `WHERE rand() < 0.1`, `OVER (ORDER BY rand())` for per-group
sampling). Rewrite: `… FROM t TABLESAMPLE (n ROWS) LIMIT n` for a single-table query with a LIMIT — a different
random sample (so not equivalent), and taken before the WHERE filter.
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import RewriteResult, Rule
from qopt.recommend.rules._ast import is_base_table, order_keys, unparen
from qopt.recommend.statement import Statement, query_parts

_RANDOM_NAMES = {"rand", "random", "uuid"}


def is_random(node: exp.Expression) -> bool:
    node = unparen(node)
    if isinstance(node, exp.Rand):
        return True
    return isinstance(node, exp.Anonymous) and str(node.this).lower() in _RANDOM_NAMES


def random_order(query: exp.Expression) -> exp.Order | None:
    order = query.args.get("order")
    if isinstance(order, exp.Order) and any(is_random(k) for k in order_keys(order)):
        return order
    return None


def check(statement: Statement) -> list[Finding]:
    findings = []
    for query in statement.nodes(exp.Select, exp.SetOperation):
        order = random_order(query)
        if order is None:
            continue
        message = (
            "`ORDER BY rand()` sorts every row by a random key just to pick a sample: a full shuffle and sort of "
            "the input. Sample instead: `FROM t TABLESAMPLE (1000 ROWS)` or `TABLESAMPLE (1 PERCENT)` reads only "
            "part of the data."
        )
        findings.append(RULE.finding(statement, order, message))
    return findings


def rewrite(statement: Statement) -> RewriteResult | None:
    tree = statement.tree.copy()
    notes = []
    changed = False
    for root in query_parts(tree):
        for select in list(root.find_all(exp.Select)):
            order = random_order(select)
            limit = select.args.get("limit")
            from_ = select.args.get("from_")
            if order is None or limit is None or from_ is None or select.args.get("joins"):
                continue
            table = from_.this
            size = limit.expression
            if not (is_base_table(table) and isinstance(size, exp.Literal) and not size.is_string):
                continue
            if select.args.get("group") or table.args.get("sample"):
                continue
            if len(order_keys(order)) != 1:
                continue
            table.set("sample", exp.TableSample(size=size.copy()))
            select.set("order", None)
            changed = True
            if select.args.get("where"):
                notes.append("the sample is taken before WHERE, so it may return fewer rows")
    if not changed:
        return None
    note = "A different random sample of the same size"
    note += f"; {notes[0]}." if notes else "."
    return RewriteResult(tree, equivalent=False, note=note)


RULE = Rule(
    id="order_by_rand",
    title="ORDER BY rand() sorts everything to sample",
    severity="medium",
    check=check,
    rewrite=rewrite,
    reduction=0.3,
    assumption="sampling instead of a full random sort typically saves about 30% of such a query's cost",
)
