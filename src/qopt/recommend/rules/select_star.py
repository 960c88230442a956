"""`select_star`: a `*` or `t.*` projection that reads a base table's columns.

Not a finding: `COUNT(*)` (not a projection), `*` inside `EXISTS (...)`, `*` over a CTE or subquery that lists
its columns (only the star that actually reaches a base table is reported, once).
"""

from __future__ import annotations

from sqlglot import exp

from qopt.recommend.finding import Finding
from qopt.recommend.rule import RewriteResult, Rule
from qopt.recommend.rules._ast import is_base_table, source_name, sources
from qopt.recommend.statement import Statement


def _star_sources(select: exp.Select, star: exp.Expression) -> list[exp.Expression]:
    """The sources a projection star expands: all of them for `*`, the named one for `t.*`."""
    srcs = sources(select)
    if isinstance(star, exp.Column):
        qualifier = star.table.lower()
        return [s for s in srcs if source_name(s) == qualifier]
    return srcs


def _stars(select: exp.Select) -> list[exp.Expression]:
    return [
        e
        for e in select.expressions
        if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))
    ]


def _in_exists(select: exp.Select) -> bool:
    parent = select.parent
    while isinstance(parent, (exp.Subquery, exp.Paren)):
        parent = parent.parent
    return isinstance(parent, exp.Exists)


def _label(table: exp.Table) -> str:
    return ".".join(p.name for p in table.parts)


def check(statement: Statement) -> list[Finding]:
    findings = []
    for select in statement.nodes(exp.Select):
        stars = _stars(select)
        if not stars or _in_exists(select):
            continue
        for star in stars:
            tables = [s for s in _star_sources(select, star) if is_base_table(s, statement.cte_names)]
            if not tables:
                continue
            names = ", ".join(f"`{_label(t)}`" for t in tables)
            nested = id(select) not in statement.top_selects
            message = (
                f"`{star.sql(dialect='databricks')}` reads every column of {names}. Delta tables store data by "
                "column, so each column you do not need is extra bytes scanned, cached and paid for on the "
                "warehouse. List only the columns the result needs."
            )
            if nested:
                message += " (Nested: Spark prunes columns the outer query does not use, so this mostly costs "
                message += "when the outer query also takes every column.)"
            findings.append(RULE.finding(statement, star, message, severity="low" if nested else None))
    return findings


def rewrite(statement: Statement) -> RewriteResult | None:
    """Expand stars over base tables whose columns the schema knows (USING / NATURAL joins are left alone)."""
    schema = statement.schema
    if schema is None:
        return None
    tree = statement.tree.copy()
    changed = False
    for select in list(tree.find_all(exp.Select)):
        stars = _stars(select)
        if not stars or _in_exists(select):
            continue
        if any(j.args.get("using") or j.args.get("method") for j in select.args.get("joins") or []):
            continue
        srcs = sources(select)
        new: list[exp.Expression] = []
        ok = True
        for projection in select.expressions:
            if projection not in stars:
                new.append(projection)
                continue
            targets = _star_sources(select, projection)
            if not targets or not all(is_base_table(s) for s in targets):
                ok = False
                break
            if isinstance(projection, exp.Star) and (projection.args.get("replace") or projection.args.get("rename")):
                ok = False
                break
            excluded = {e.name.lower() for e in (projection.args.get("except_") or projection.args.get("except") or [])}
            for source in targets:
                cols = schema.columns(source)
                if cols is None:
                    ok = False
                    break
                qualify = len(srcs) > 1 or isinstance(projection, exp.Column)
                for col in cols:
                    if col.lower() in excluded:
                        continue
                    table = source_name(source) if qualify else None
                    new.append(exp.column(col, table=table, quoted=not _plain(col)))
            if not ok:
                break
        if ok and new != select.expressions:
            select.set("expressions", new)
            changed = True
    if not changed:
        return None
    return RewriteResult(
        tree,
        equivalent=True,
        note="Lists every column the table has today, in order: now delete the ones the result does not need.",
    )


def _plain(name: str) -> bool:
    return name.isidentifier() and name == name.lower()


RULE = Rule(
    id="select_star",
    title="SELECT * over a table reads every column",
    severity="medium",
    check=check,
    rewrite=rewrite,
    reduction=0.2,
    assumption="reading only the needed columns typically cuts the bytes scanned by about 20%",
)
