"""Join-graph analysis shared by `cartesian_join` and `implicit_join`.

For one SELECT: which sources are linked by an ON / USING condition, which only by a WHERE predicate, and
which by nothing at all. Columns are attributed to sources by their qualifier; a comparison between columns
whose source cannot be told (unqualified) counts as a link, so the rules stay quiet when unsure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from qopt.recommend.rules._ast import conjuncts, is_constant, single_row, source_name
from qopt.recommend.statement import Statement


@dataclass
class JoinInfo:
    join: exp.Join
    name: str
    kind: str  # "comma", "cross", "no condition", "on"
    linked_by_on: bool
    linked_by_where: bool  # filled in by analyse()
    exempt: bool  # one-row relation, generator or table function: not a cartesian product of tables


def _qualifiers(col: exp.Column, names: set[str]) -> set[str]:
    parts = {p.lower() for p in (col.table, col.db) if p}
    return parts & names


def _refs(node: exp.Expression, names: set[str]) -> tuple[set[str], bool]:
    """Sources referenced by the columns of `node`, and whether some column's source is unknown."""
    found: set[str] = set()
    unknown = False
    for col in node.find_all(exp.Column):
        q = _qualifiers(col, names)
        if q:
            found |= q
        elif not col.table:
            unknown = True
    return found, unknown


def _links(condition: exp.Expression | None, names: set[str]) -> list[set[str]]:
    """Groups of sources each conjunct of a condition ties together ({"*"} = ties unknown columns)."""
    out = []
    for term in conjuncts(condition):
        if is_constant(term):
            continue
        refs, unknown = _refs(term, names)
        cols = list(term.find_all(exp.Column))
        if unknown and len(cols) >= 2:
            refs = refs | {"*"}
        if len(refs) >= 2 or "*" in refs:
            out.append(refs)
    return out


def _exempt(source: exp.Expression, cte_names: frozenset[str] | None = None) -> bool:
    if isinstance(source, (exp.Lateral, exp.Unnest)):
        return True
    if isinstance(source, exp.Table) and not isinstance(source.this, exp.Identifier):
        return True  # a table-valued function: range(10), explode(...)
    return single_row(source, cte_names)


_COMMA_BEFORE = re.compile(r",\s*$")


def _kind(statement: Statement, join: exp.Join) -> str:
    on = join.args.get("on")
    if join.args.get("using") or (join.args.get("method") or "").upper() == "NATURAL":
        return "on"
    if on is not None and not (isinstance(on, exp.Boolean) and on.this is True):
        return "on"
    if (join.args.get("kind") or "").upper() == "CROSS":
        span = statement.span(join.this)
        if span is not None and _COMMA_BEFORE.search(statement.sql, 0, span[0]):
            return "comma"
        return "cross"
    return "no condition"


def analyse(statement: Statement, select: exp.Select) -> list[JoinInfo]:
    """Every join of `select` with how (and whether) it is linked to the sources before it."""
    from_ = select.args.get("from_")
    joins = select.args.get("joins") or []
    if from_ is None or not joins:
        return []
    first = from_.this
    names = {source_name(first)} | {source_name(j.this) for j in joins}
    names.discard("")
    where = select.args.get("where")
    where_links = _links(where.this if where is not None else None, names)
    on_links: list[set[str]] = []
    infos: list[JoinInfo] = []
    for join in joins:
        kind = _kind(statement, join)
        name = source_name(join.this)
        linked_on = kind == "on"
        if kind == "on" and join.args.get("on") is not None:
            links = _links(join.args["on"], names)
            on_links.extend(links)
            linked_on = any(name in group or "*" in group for group in links) or not name
            if not links and not is_constant(join.args["on"]):
                linked_on = True  # a condition on one side only, or correlated: not a plain product
        infos.append(JoinInfo(join, name, kind, linked_on, False, _exempt(join.this, statement.cte_names)))

    # Connectivity over ON and WHERE links together; a link through unknown columns ties everything.
    parent = {n: n for n in names}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for group in on_links + where_links:
        items = sorted(names if "*" in group else group & names)
        for other in items[1:]:
            parent[find(other)] = find(items[0])
    earlier = [source_name(first)]
    earlier_exempt = [_exempt(first, statement.cte_names)]
    for info in infos:
        if info.name:
            info.linked_by_where = any(e and find(e) == find(info.name) for e in earlier)
        else:
            info.linked_by_where = True  # an unnamed source cannot be referenced: do not judge it
        if all(earlier_exempt):
            info.exempt = True  # everything before is one row: joining to it multiplies nothing
        earlier.append(info.name)
        earlier_exempt.append(_exempt(info.join.this, statement.cte_names))
    return infos
