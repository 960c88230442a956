"""`non_sargable_predicate`: in WHERE or a join condition, a column wrapped in a function, cast or arithmetic
and compared with a constant (`year(d) = 2024`, `date(ts) = '2024-01-01'`, `amount * 1.1 > 100`).

Databricks skips files (and partitions) by comparing a filter's constant with each file's min/max statistics
of the column. A function on the column hides it from that comparison. Not a finding: the function applied to
the constant side (`d >= date('2024-01-01')`), or a comparison of two columns. Rewrite: date functions become
a range on the bare column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import RewriteResult, Rule
from qopt.recommend.rules._ast import has_column, is_constant, predicates, unparen
from qopt.recommend.statement import Statement, query_parts

_BINARY = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.Like, exp.ILike)
# Ways to reach inside a column that are not a computation: struct fields, map / array elements.
_ACCESS = (exp.Column, exp.Dot, exp.Bracket)
_FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE}


def _is_bare(side: exp.Expression) -> bool:
    side = unparen(side)
    if isinstance(side, exp.Column):
        return True
    if isinstance(side, exp.Dot | exp.Bracket):
        return all(isinstance(n, (*_ACCESS, exp.Identifier, exp.Literal)) for n in side.walk())
    return False


def _wrapped(side: exp.Expression) -> bool:
    """A computation over at least one column (and not over a subquery, aggregate or window)."""
    if _is_bare(side) or not has_column(side):
        return False
    return not any(isinstance(n, (exp.Query, exp.Subquery, exp.AggFunc, exp.Window)) for n in side.walk())


def _conditions(roots: list[exp.Expression]) -> Iterator[exp.Expression]:
    for root in roots:
        for node in root.walk():
            if isinstance(node, exp.Where):
                yield node.this
            elif isinstance(node, exp.Join) and node.args.get("on") is not None:
                yield node.args["on"]


def statement_conditions(statement: Statement) -> Iterator[exp.Expression]:
    """WHERE and join conditions of the analysed parts (from the statement's node index)."""
    for where in statement.nodes(exp.Where):
        yield where.this
    for join in statement.nodes(exp.Join):
        if join.args.get("on") is not None:
            yield join.args["on"]


def matches(conditions: Iterator[exp.Expression]) -> Iterator[tuple[exp.Expression, exp.Expression]]:
    """(predicate, wrapped column side) for every non-sargable comparison in WHERE and join conditions."""
    for condition in conditions:
        for pred in predicates(condition):
            if isinstance(pred, _BINARY):
                left, right = pred.this, pred.expression
                if isinstance(right, (exp.Any, exp.All)):
                    right = right.this
                if _wrapped(left) and is_constant(right):
                    yield pred, left
                elif _wrapped(right) and is_constant(left):
                    yield pred, right
            elif isinstance(pred, exp.Between):
                if _wrapped(pred.this) and is_constant(pred.args.get("low")) and is_constant(pred.args.get("high")):
                    yield pred, pred.this
            elif isinstance(pred, exp.In) and not pred.args.get("query") and pred.expressions:
                if _wrapped(pred.this) and all(is_constant(e) for e in pred.expressions):
                    yield pred, pred.this


def check(statement: Statement) -> list[Finding]:
    findings = []
    for pred, side in matches(statement_conditions(statement)):
        column = next(side.find_all(exp.Column))
        name = column.name
        what = _kind(side)
        message = (
            f"`{_text(statement, pred)}` wraps `{name}` in {what}, so Databricks cannot compare the constant with "
            f"the min/max statistics of `{name}` and reads every file instead of skipping most of them. "
            f"Compare the bare column with a constant instead"
        )
        hint = _hint(side)
        message += f" ({hint})." if hint else " (apply the function to the constant side)."
        findings.append(RULE.finding(statement, pred, message, column=name))
    return findings


def _text(statement: Statement, node: exp.Expression) -> str:
    return str(statement.locate(node).get("fragment") or node.sql(dialect="databricks"))


def _kind(side: exp.Expression) -> str:
    side = unparen(side)
    if isinstance(side, exp.Cast):
        return "a cast"
    if isinstance(side, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.IntDiv)):
        return "arithmetic"
    return "a function"


def _hint(side: exp.Expression) -> str:
    if _date_column(side) is not None:
        return "a date range on the column itself, see the rewrite"
    if _year_column(side) is not None:
        return "a range of dates, see the rewrite"
    if isinstance(unparen(side), (exp.Add, exp.Sub, exp.Mul, exp.Div)):
        return "move the arithmetic to the constant side, e.g. `amount > 100 / 1.1`"
    if isinstance(unparen(side), (exp.Lower, exp.Upper)):
        return "store the value in one case, or keep a normalized copy of the column"
    return ""


# --- rewrite: date functions become ranges ---------------------------------------------------------------------


def _date_column(side: exp.Expression) -> exp.Column | None:
    """`date(c)`, `to_date(c)`, `CAST(c AS DATE)`, `c::date` → c."""
    side = unparen(side)
    if isinstance(side, exp.Cast) and side.to.is_type(exp.DataType.Type.DATE) and isinstance(side.this, exp.Column):
        return side.this
    if isinstance(side, exp.TsOrDsToDate) and not side.args.get("format") and isinstance(side.this, exp.Column):
        return side.this
    return None


def _year_column(side: exp.Expression) -> exp.Column | None:
    side = unparen(side)
    if not isinstance(side, exp.Year):
        return None
    inner = side.this
    if isinstance(inner, exp.Column):
        return inner
    return _date_column(inner)


def _date_constant(value: exp.Expression) -> exp.Expression | None:
    """A DATE-typed constant: a 'YYYY-MM-DD' string, DATE '…', to_date('…'), or any other constant expression."""
    value = unparen(value)
    literal = value
    if isinstance(value, exp.Cast) and value.to.is_type(exp.DataType.Type.DATE):
        literal = value.this
    elif isinstance(value, exp.TsOrDsToDate) and not value.args.get("format"):
        literal = value.this
    if isinstance(literal, exp.Literal):
        day = _parse_day(literal)
        return _date(day) if day else None
    return value if is_constant(value) else None


def _parse_day(literal: exp.Literal) -> dt.date | None:
    if not literal.is_string:
        return None
    try:
        return dt.date.fromisoformat(literal.this.strip())
    except ValueError:
        return None


def _date(day: dt.date) -> exp.Expression:
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.Type.DATE)


def _next_day(value: exp.Expression) -> exp.Expression:
    literal = value.this if isinstance(value, exp.Cast) else None
    if isinstance(literal, exp.Literal) and (day := _parse_day(literal)) is not None:
        return _date(day + dt.timedelta(days=1))
    return exp.func("date_add", value.copy(), exp.Literal.number(1), dialect="databricks")


def _year(value: exp.Expression) -> int | None:
    value = unparen(value)
    if isinstance(value, exp.Literal) and value.this.strip().isdigit():
        year = int(value.this)
        return year if 1 <= year < 9999 else None
    return None


def _range(col: exp.Column, low: exp.Expression | None, high: exp.Expression | None) -> exp.Expression:
    """low <= col < high (either bound optional)."""
    parts: list[exp.Expression] = []
    if low is not None:
        parts.append(exp.GTE(this=col.copy(), expression=low))
    if high is not None:
        parts.append(exp.LT(this=col.copy(), expression=high))
    if len(parts) == 1:
        return parts[0]
    return exp.Paren(this=exp.and_(*parts))


def _bounds(kind: type, value: exp.Expression, nxt: exp.Expression) -> tuple[exp.Expression | None, ...] | None:
    """For f(col) <op> value, with f truncating to a period starting at `value` and ending before `nxt`."""
    if kind is exp.EQ:
        return value, nxt
    if kind is exp.GTE:
        return value, None
    if kind is exp.GT:
        return nxt, None
    if kind is exp.LT:
        return None, value
    if kind is exp.LTE:
        return None, nxt
    return None


def _rewrite_one(pred: exp.Expression, side: exp.Expression) -> exp.Expression | None:
    year_col, date_col = _year_column(side), _date_column(side)
    col = year_col or date_col
    if col is None:
        return None

    def period(value: exp.Expression) -> tuple[exp.Expression, exp.Expression] | None:
        if year_col is not None:
            year = _year(value)
            if year is None:
                return None
            return _date(dt.date(year, 1, 1)), _date(dt.date(year + 1, 1, 1))
        start = _date_constant(value)
        return (start, _next_day(start)) if start is not None else None

    if isinstance(pred, exp.Between):
        low, high = period(pred.args["low"]), period(pred.args["high"])
        if low is None or high is None:
            return None
        return _range(col, low[0], high[1])
    kind = type(pred)
    if kind not in (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE):
        return None
    value = pred.expression if side is pred.this else pred.this
    if side is not pred.this:
        kind = _FLIP.get(kind, kind)
    bounds = period(value)
    if bounds is None:
        return None
    low, high = _bounds(kind, *bounds)  # type: ignore[misc]
    return _range(col, low, high)


def rewrite(statement: Statement) -> RewriteResult | None:
    tree = statement.tree.copy()
    replaced = 0
    for pred, side in list(matches(_conditions(query_parts(tree)))):
        new = _rewrite_one(pred, side)
        if new is not None:
            pred.replace(new)
            replaced += 1
    if not replaced:
        return None
    return RewriteResult(
        tree,
        equivalent=True,
        note="Same rows when the column is a DATE or TIMESTAMP; the bare column lets Databricks skip files.",
    )


RULE = Rule(
    id="non_sargable_predicate",
    title="a function on a filtered column defeats file skipping",
    severity="high",
    check=check,
    rewrite=rewrite,
    reduction=0.3,
    assumption="a sargable filter on a well-clustered column typically lets Databricks skip about 30% of the scan",
)
