"""AST helpers shared by the rules: predicates, constants, sources, CTEs, correlation."""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

# Nodes that make an expression depend on the rows: anything else is a constant (literal, parameter,
# current_date(), an interval, a function of constants).
_ROW_DEPENDENT = (exp.Column, exp.Query, exp.Subquery, exp.Star, exp.AggFunc, exp.Window)
AGGREGATES = (exp.AggFunc,)
# Table-valued generators: joining to them is not a cartesian product of two tables.
GENERATORS = (exp.Explode, exp.Posexplode, exp.Inline, exp.Unnest, exp.ExplodeOuter)


def unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def conjuncts(node: exp.Expression | None) -> list[exp.Expression]:
    """Top-level AND terms, parentheses removed."""
    if node is None:
        return []
    node = unparen(node)
    if isinstance(node, exp.And):
        return conjuncts(node.this) + conjuncts(node.expression)
    return [node]


def disjuncts(node: exp.Expression) -> list[exp.Expression]:
    node = unparen(node)
    if isinstance(node, exp.Or):
        return disjuncts(node.this) + disjuncts(node.expression)
    return [node]


def predicates(condition: exp.Expression | None) -> Iterator[exp.Expression]:
    """The atomic predicates of a filter: through AND, OR, NOT and parentheses, not into functions or CASE."""
    if condition is None:
        return
    stack = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, (exp.Where, exp.Having, exp.Qualify)):
            stack.append(node.this)
        elif isinstance(node, (exp.And, exp.Or)):
            stack.append(node.expression)
            stack.append(node.this)
        elif isinstance(node, (exp.Not, exp.Paren)):
            stack.append(node.this)
        else:
            yield node


def is_constant(node: exp.Expression | None) -> bool:
    """True when the value does not depend on the rows (literals, parameters, functions of constants)."""
    if node is None:
        return False
    return not any(isinstance(n, _ROW_DEPENDENT) for n in node.walk())


def has_column(node: exp.Expression) -> bool:
    return any(isinstance(n, exp.Column) for n in node.walk())


def columns(node: exp.Expression) -> list[exp.Column]:
    return [n for n in node.walk() if isinstance(n, exp.Column)]


def filter_conditions(select: exp.Expression) -> Iterator[exp.Expression]:
    """WHERE and join conditions of one SELECT (or UPDATE / DELETE)."""
    where = select.args.get("where")
    if where is not None:
        yield where.this
    for join in select.args.get("joins") or []:
        on = join.args.get("on")
        if on is not None:
            yield on


def sources(select: exp.Select) -> list[exp.Expression]:
    """FROM and JOIN sources of a SELECT, in order."""
    out: list[exp.Expression] = []
    from_ = select.args.get("from_")
    if from_ is not None:
        out.append(from_.this)
        out.extend(from_.expressions or [])
    for join in select.args.get("joins") or []:
        out.append(join.this)
    return out


def source_name(source: exp.Expression) -> str:
    """The name a source is referred to by: its alias, else its table name (lower case)."""
    alias = source.alias if hasattr(source, "alias") else ""
    if alias:
        return alias.lower()
    if isinstance(source, exp.Table):
        return source.name.lower()
    return ""


def visible_names(select: exp.Select) -> set[str]:
    """Names the SELECT's own FROM, JOIN and LATERAL VIEW clauses define."""
    names = {source_name(s) for s in sources(select)}
    for lateral in select.args.get("laterals") or []:
        alias = lateral.args.get("alias")
        if alias is not None and alias.name:
            names.add(alias.name.lower())
    names.discard("")
    return names


def enclosing(node: exp.Expression, kind: type[exp.Expression]) -> exp.Expression | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, kind):
        parent = parent.parent
    return parent


def cte_for(table: exp.Table, cte_names: frozenset[str] | None = None) -> exp.CTE | None:
    """The CTE a table reference names, looking outwards through the enclosing WITH clauses.

    `cte_names` (all CTE names of the statement) answers the common case without walking up the tree.
    """
    if table.args.get("db") or table.args.get("catalog"):
        return None
    name = table.name.lower()
    if cte_names is not None and name not in cte_names:
        return None
    node: exp.Expression | None = table
    while node is not None:
        with_ = node.args.get("with_") if isinstance(node, exp.Expression) else None
        if with_ is not None:
            for cte in with_.expressions:
                if cte.alias.lower() == name and not _inside(table, cte):
                    return cte
                if cte.alias.lower() == name and with_.args.get("recursive"):
                    return cte
        node = node.parent
    return None


def _inside(node: exp.Expression, ancestor: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


def is_base_table(source: exp.Expression, cte_names: frozenset[str] | None = None) -> bool:
    """A table stored in the lakehouse: a table reference that names no CTE (not a subquery, VALUES or function)."""
    return (
        isinstance(source, exp.Table)
        and isinstance(source.this, exp.Identifier)
        and cte_for(source, cte_names) is None
    )


def single_row(source: exp.Expression, cte_names: frozenset[str] | None = None) -> bool:
    """A relation that returns at most one row: a global aggregate, a SELECT without FROM, LIMIT 1, one VALUES row."""
    query: exp.Expression | None = None
    if isinstance(source, exp.Subquery):
        query = source.this
    elif isinstance(source, exp.Table):
        cte = cte_for(source, cte_names)
        query = cte.this if cte is not None else None
    elif isinstance(source, exp.Values):
        return len(source.expressions) == 1
    while isinstance(query, exp.Subquery):
        query = query.this
    if not isinstance(query, exp.Select):
        return False
    limit = query.args.get("limit")
    if limit is not None and isinstance(limit.expression, exp.Literal) and limit.expression.this in ("0", "1"):
        return True
    if query.args.get("group"):
        return False
    if not query.args.get("from_"):
        return True
    return any(
        any(isinstance(n, AGGREGATES) and enclosing(n, exp.Window) is None for n in e.walk())
        for e in query.expressions
    )


def scalar_subquery(sub: exp.Subquery) -> bool:
    """A subquery used as a value (select list, CASE, comparison) rather than as a relation or set."""
    parent = sub.parent
    if parent is None or isinstance(parent, (exp.From, exp.Join, exp.Lateral, exp.CTE, exp.SetOperation)):
        return False
    if isinstance(parent, (exp.Exists, exp.Any, exp.All)):
        return False
    if isinstance(parent, exp.In) and parent.args.get("query") is sub:
        return False
    if isinstance(parent, (exp.Insert, exp.Create, exp.Merge, exp.Table)):
        return False
    return isinstance(sub.this, exp.Query)


def outer_references(query: exp.Expression) -> list[exp.Column]:
    """Columns inside `query` qualified with a name that only an enclosing query defines (correlation)."""
    inner: set[str] = set()
    for node in query.walk():
        if isinstance(node, exp.Select):
            inner |= visible_names(node)
        elif isinstance(node, exp.CTE):
            inner.add(node.alias.lower())
    outer: set[str] = set()
    parent = query.parent
    while parent is not None:
        if isinstance(parent, exp.Select):
            outer |= visible_names(parent)
        parent = parent.parent
    found = []
    for col in query.find_all(exp.Column):
        qualifier = col.table.lower()
        if qualifier and qualifier not in inner and qualifier in outer:
            found.append(col)
    return found


def order_keys(order: exp.Order) -> list[exp.Expression]:
    return [o.this if isinstance(o, exp.Ordered) else o for o in order.expressions]
