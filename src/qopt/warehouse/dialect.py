"""Transpile Databricks-dialect SQL to DuckDB for the embedded warehouse.

SQL is written once, for Databricks. This module parses it with sqlglot, applies the small transforms DuckDB
needs (each a function from expression to expression, applied in order), and generates DuckDB SQL. Results
are cached by SQL text: skills run the same few statements over and over.

What sqlglot already does right is left to it (`GROUP BY ALL` alone, struct field access, backquoted
identifiers, `:param` → `$param`, `try_divide`, `count_if`, `date_trunc`, `unix_millis`, `timestampadd`,
`sequence`, `md5`, `collect_list`/`collect_set`, `nvl`, `to_date`, `date_format`). The transforms below fix
what it gets wrong or leaves unrunnable, each one named after the Databricks behaviour it keeps.

Regular expressions: Databricks uses Java regex, DuckDB RE2. Character classes, anchors, groups, alternation,
lazy quantifiers and `(?i)` work on both; the replacement's group references `$1`/`${1}` are rewritten to RE2's
`\\1`. Java-only constructs (lookahead/lookbehind, backreferences inside the pattern, possessive quantifiers,
`\\p{javaXxx}`) are refused by DuckDB with a clear error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import sqlglot
from sqlglot import exp

from qopt.errors import UsageError

Transform = Callable[[exp.Expression], exp.Expression]


def drop_catalogs(tree: exp.Expression) -> exp.Expression:
    """`system.query.history` → `query.history`, `main.sales.orders` → `sales.orders`.

    The embedded file is a single catalog (and DuckDB reserves the name `system`), so every catalog
    qualifier of a 3-part name goes, in table references and in fully qualified column references.
    """
    for table in tree.find_all(exp.Table):
        if table.args.get("catalog") and table.args.get("db"):
            table.set("catalog", None)
    for column in tree.find_all(exp.Column):
        if column.args.get("catalog") and column.args.get("db"):
            column.set("catalog", None)
    return tree


# --- DECIMAL(38,18) * DECIMAL(38,18) ---------------------------------------------------------------------------
# DuckDB gives the product scale s1+s2 (36) and overflows once it reaches 10^(38-36) = 100, also inside SUM.
# Databricks (Spark, allowPrecisionLoss) keeps precision 38 and lowers the scale to max(38 - integer digits, 6).
# We compute the product with operands rounded to at most `_OPERAND_SCALE` decimals (room for 10^14 in the
# product) and cast it to the type Databricks would give, so sums match Databricks to the last digit it keeps.

_OPERAND_SCALE = 12
_DECIMAL_FIELDS = {"usage_quantity", "default"}  # the decimal columns of the system tables, for the fallback


@lru_cache(maxsize=1)
def _system_schema():  # -> sqlglot.schema.MappingSchema
    """The embedded tables as a sqlglot schema, read from `qopt.warehouse.schema.TABLES`."""
    from sqlglot.schema import MappingSchema

    from qopt.warehouse.schema import TABLES

    mapping: dict[str, dict[str, dict[str, str]]] = {}
    for name, columns in TABLES.items():
        db, table = name.split(".")
        create = sqlglot.parse_one(f"CREATE TABLE t ({columns})", read="duckdb")
        mapping.setdefault(db, {})[table] = {
            col.name: col.args["kind"].sql("duckdb") for col in create.this.expressions if isinstance(col, exp.ColumnDef)
        }
    return MappingSchema(mapping, dialect="duckdb")


def spark_decimal_product(p1: int, s1: int, p2: int, s2: int) -> tuple[int, int]:
    """The result type of DECIMAL(p1,s1) * DECIMAL(p2,s2) on Databricks (precision loss allowed)."""
    precision, scale = p1 + p2 + 1, s1 + s2
    if precision <= 38:
        return precision, scale
    integer_digits = precision - scale
    return 38, max(38 - integer_digits, min(scale, 6))


def _decimal_params(dtype: exp.DataType | None) -> tuple[int, int] | None:
    if dtype is None or not dtype.is_type(exp.DataType.Type.DECIMAL):
        return None
    params = [int(p.name) for p in dtype.expressions if p.name.isdigit()]
    if len(params) == 2:
        return params[0], params[1]
    return (params[0], 0) if params else (38, 18)


def _looks_decimal(node: exp.Expression) -> bool:
    """Fallback when types cannot be inferred: a system-table decimal column, or an aggregate/cast of one."""
    if isinstance(node, exp.Paren):
        return _looks_decimal(node.this)
    if isinstance(node, (exp.Column, exp.Dot)):
        return node.name.lower() in _DECIMAL_FIELDS
    if isinstance(node, exp.Cast):
        return node.to.is_type(exp.DataType.Type.DECIMAL)
    if isinstance(node, (exp.Sum, exp.Min, exp.Max, exp.AnyValue, exp.First, exp.Last, exp.Coalesce)):
        return _looks_decimal(node.this)
    if isinstance(node, exp.Mul):
        return _looks_decimal(node.this) and _looks_decimal(node.expression)
    return False


def _operand(node: exp.Expression, scale: int) -> exp.Expression:
    if scale <= _OPERAND_SCALE:
        return node
    return exp.Cast(this=node, to=exp.DataType.build(f"DECIMAL(38, {_OPERAND_SCALE})"))


def decimal_products(tree: exp.Expression) -> exp.Expression:
    """Give decimal products Databricks' result type instead of DuckDB's overflowing one (see above)."""
    muls = list(tree.find_all(exp.Mul))
    if not muls:
        return tree
    for i, mul in enumerate(muls):
        mul.meta["qopt_mul"] = i
    types: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {}
    try:
        from sqlglot.optimizer.annotate_types import annotate_types
        from sqlglot.optimizer.qualify import qualify

        schema = _system_schema()
        typed = annotate_types(
            qualify(tree.copy(), dialect="duckdb", schema=schema, validate_qualify_columns=False,
                    quote_identifiers=False, identify=False),
            schema=schema,
            dialect="duckdb",
        )
        for mul in typed.find_all(exp.Mul):
            left, right = _decimal_params(mul.this.type), _decimal_params(mul.expression.type)
            if left and right and "qopt_mul" in mul.meta:
                types[mul.meta["qopt_mul"]] = (left, right)
    except Exception:  # noqa: BLE001 - type inference is best effort; fall back to the column names
        types = {
            mul.meta["qopt_mul"]: ((38, 18), (38, 18))
            for mul in muls
            if _looks_decimal(mul.this) and _looks_decimal(mul.expression)
        }
    for mul in muls:
        found = types.get(mul.meta.pop("qopt_mul"))
        if not found:
            continue
        (p1, s1), (p2, s2) = found
        if p1 + p2 <= 38:  # DuckDB cannot overflow here
            continue
        precision, scale = spark_decimal_product(p1, s1, p2, s2)
        product = exp.Mul(this=_operand(mul.this.copy(), s1), expression=_operand(mul.expression.copy(), s2))
        mul.replace(exp.Cast(this=exp.paren(product, copy=False), to=exp.DataType.build(f"DECIMAL({precision}, {scale})")))
    return tree


# --- generators: explode / posexplode ----------------------------------------------------------------------------


def _is_outer(gen: exp.Expression) -> bool:
    return "outer" in type(gen).__name__.lower()


def _generator_columns(gen: exp.Expression, names: list[exp.Identifier]) -> list[exp.Expression]:
    """The select-list items that produce the rows of `explode`/`posexplode` in DuckDB (zipped UNNESTs)."""
    arg = gen.this
    if isinstance(gen, exp.Posexplode):
        if len(names) != 2:
            raise UsageError("posexplode(array) needs two aliases: AS (pos, value).")
        positions = exp.Anonymous(this="RANGE", expressions=[exp.Anonymous(this="LEN", expressions=[arg.copy()])])
        return [exp.alias_(exp.Explode(this=positions), names[0]), exp.alias_(exp.Explode(this=arg.copy()), names[1])]
    if len(names) == 2:  # explode(map) AS (key, value)
        return [
            exp.alias_(exp.Explode(this=exp.Anonymous(this="MAP_KEYS", expressions=[arg.copy()])), names[0]),
            exp.alias_(exp.Explode(this=exp.Anonymous(this="MAP_VALUES", expressions=[arg.copy()])), names[1]),
        ]
    if len(names) == 1:
        return [exp.alias_(exp.Explode(this=arg.copy()), names[0])]
    raise UsageError("explode(...) AS (...) takes one alias for an array, two for a map.")


def explode_select_aliases(tree: exp.Expression) -> exp.Expression:
    """`SELECT explode(m) AS (k, v)` → `SELECT UNNEST(MAP_KEYS(m)) AS k, UNNEST(MAP_VALUES(m)) AS v`."""
    for select in list(tree.find_all(exp.Select)):
        items: list[exp.Expression] = []
        changed = False
        for item in select.expressions:
            if isinstance(item, exp.Aliases) and isinstance(item.this, exp.Explode):
                items.extend(_generator_columns(item.this, list(item.expressions)))
                changed = True
            else:
                items.append(item)
        if changed:
            select.set("expressions", items)
    return tree


def lateral_view_explode(tree: exp.Expression) -> exp.Expression:
    """`LATERAL VIEW [OUTER] explode(x) t AS c...` → a lateral join DuckDB understands.

    Arrays become `CROSS JOIN UNNEST(x) AS t(c)`; maps (two column names) and posexplode become a lateral
    subquery of zipped UNNESTs. OUTER (or `explode_outer`) keeps rows whose collection is empty or NULL,
    with a `LEFT JOIN ... ON TRUE`. The views are turned into joins in their original order.
    """
    for select in list(tree.find_all(exp.Select)):
        views = [lv for lv in select.args.get("laterals") or [] if lv.args.get("view")]
        if not views:
            continue
        joins = list(select.args.get("joins") or [])
        for n, view in enumerate(views):
            gen = view.this
            if not isinstance(gen, exp.Explode):
                raise UsageError(f"LATERAL VIEW {gen.sql('databricks')} is not supported on the embedded warehouse.")
            alias = view.args.get("alias") or exp.TableAlias()
            names = list(alias.columns) or [exp.to_identifier("col")]
            table_name = alias.this if alias.this else exp.to_identifier(f"_lv{n}")
            outer = bool(view.args.get("outer")) or _is_outer(gen)
            if len(names) == 1 and not isinstance(gen, exp.Posexplode):
                source: exp.Expression = exp.Unnest(
                    expressions=[gen.this.copy()], alias=exp.TableAlias(this=table_name.copy(), columns=names)
                )
            else:
                sub = exp.Select(expressions=_generator_columns(gen, names))
                source = exp.Lateral(this=exp.Subquery(this=sub), alias=exp.TableAlias(this=table_name.copy()))
            join = exp.Join(this=source, side="LEFT", on=exp.true()) if outer else exp.Join(this=source, kind="CROSS")
            joins.append(join)
        select.set("joins", joins)
        select.set("laterals", [lv for lv in select.args.get("laterals") or [] if not lv.args.get("view")] or None)
    return tree


# --- aggregation -------------------------------------------------------------------------------------------------


def _aggregates_or_windows(node: exp.Expression) -> bool:
    """True when the select item holds an aggregate or a window function (not counting nested queries)."""
    for sub in node.walk(prune=lambda n: isinstance(n, (exp.Subquery, exp.Select)) and n is not node):
        if isinstance(sub, (exp.AggFunc, exp.Window)):
            return True
    return False


def group_by_all_with_qualify(tree: exp.Expression) -> exp.Expression:
    """DuckDB refuses `QUALIFY` together with `GROUP BY ALL`: spell the grouping out by position.

    `GROUP BY ALL` means every select item without an aggregate; with `GROUP BY 1, 3` the statement keeps its
    shape (aliases, ORDER BY, LIMIT and QUALIFY untouched), unlike a wrapping subquery.
    """
    for select in list(tree.find_all(exp.Select)):
        group = select.args.get("group")
        if not (group and group.args.get("all") and select.args.get("qualify")):
            continue
        if any(isinstance(item, exp.Star) for item in select.expressions):
            raise UsageError("GROUP BY ALL with SELECT * and QUALIFY: name the columns.")
        positions = [
            exp.Literal.number(i + 1)
            for i, item in enumerate(select.expressions)
            if not _aggregates_or_windows(item)
        ]
        select.set("group", exp.Group(expressions=positions) if positions else None)
    return tree


def first_last_ignore_nulls(tree: exp.Expression) -> exp.Expression:
    """`first(x, true)` / `last(x, true)` → `FIRST(x) FILTER (WHERE x IS NOT NULL)`.

    sqlglot turns `first(x, true)` into ANY_VALUE and silently drops the flag from `last(x, true)`.
    Inside a window, DuckDB understands `IGNORE NULLS` itself, so windows are left alone.
    """
    for node in list(tree.find_all(exp.IgnoreNulls)):
        agg = node.this
        if not isinstance(agg, (exp.First, exp.Last)) or isinstance(node.parent, exp.Window):
            continue
        arg = agg.this
        node.replace(exp.Filter(this=agg.copy(), expression=exp.Where(this=exp.Not(this=exp.Is(this=arg.copy(), expression=exp.Null())))))
    return tree


def count_if_bigint(tree: exp.Expression) -> exp.Expression:
    """`count_if` is BIGINT on Databricks (DuckDB: HUGEINT)."""
    for node in list(tree.find_all(exp.CountIf)):
        if not isinstance(node.parent, exp.Window):
            node.replace(exp.cast(node.copy(), "BIGINT"))
    return tree


def percentiles(tree: exp.Expression) -> exp.Expression:
    """`percentile(x, p)` is exact with interpolation (QUANTILE_CONT); sqlglot emits QUANTILE (= quantile_disc).

    `percentile_approx`/`approx_percentile` return a value of the column (the nearest rank); DuckDB's
    APPROX_QUANTILE is a T-digest whose result depends on thread scheduling, so the embedded warehouse uses the
    exact nearest-rank QUANTILE_DISC: stable, and a valid answer for Databricks' approximation.
    """
    for node in list(tree.find_all(exp.Quantile)):  # ApproxQuantile is a subclass of Quantile
        func = "QUANTILE_DISC" if isinstance(node, exp.ApproxQuantile) else "QUANTILE_CONT"
        node.replace(exp.Anonymous(this=func, expressions=[node.this.copy(), node.args["quantile"].copy()]))
    return tree


# --- dates and times ---------------------------------------------------------------------------------------------


def date_add_returns_date(tree: exp.Expression) -> exp.Expression:
    """`date_add(d, n)` / `date_sub(d, n)` return DATE on Databricks; DuckDB's `date + INTERVAL` is a TIMESTAMP."""
    for node in list(tree.find_all(exp.TsOrDsAdd)):
        node.replace(exp.cast(node.copy(), "DATE"))
    return tree


def timestampdiff_whole_units(tree: exp.Expression) -> exp.Expression:
    """`timestampdiff(HOUR, a, b)` counts whole hours elapsed (10:59 → 11:01 is 0); DuckDB's DATE_DIFF counts
    boundaries crossed (1). DATE_SUB counts whole units. The two-argument `datediff(end, start)` (days between
    dates) keeps DATE_DIFF; note that the three-argument `datediff(DAY, a, b)` is parsed the same way."""
    for node in list(tree.find_all(exp.TimestampDiff, exp.DateDiff)):
        unit = (node.unit.name if node.args.get("unit") else "DAY").upper()
        if isinstance(node, exp.DateDiff) and unit == "DAY":
            continue
        node.replace(
            exp.Anonymous(
                this="DATE_SUB",
                expressions=[exp.Literal.string(unit), node.expression.copy(), node.this.copy()],
            )
        )
    return tree


_INTERVAL_PARTS = (  # make_interval(years, months, weeks, days, hours, mins, secs) → DuckDB's to_* functions
    ("year", "TO_YEARS", "INTEGER"),
    ("month", "TO_MONTHS", "INTEGER"),
    ("week", "TO_WEEKS", "INTEGER"),
    ("day", "TO_DAYS", "INTEGER"),
    ("hour", "TO_HOURS", "BIGINT"),
    ("minute", "TO_MINUTES", "BIGINT"),
    ("second", "TO_SECONDS", "DOUBLE"),
)


def make_interval(tree: exp.Expression) -> exp.Expression:
    """`make_interval(...)` with column arguments: sqlglot pastes the column name into an INTERVAL literal."""
    for node in list(tree.find_all(exp.MakeInterval)):
        parts: list[exp.Expression] = []
        for arg, func, typ in _INTERVAL_PARTS:
            value = node.args.get(arg)
            if value is not None:
                parts.append(exp.Anonymous(this=func, expressions=[exp.cast(value.copy(), typ)]))
        total: exp.Expression = parts[0] if parts else exp.Anonymous(this="TO_SECONDS", expressions=[exp.Literal.number(0)])
        for part in parts[1:]:
            total = exp.Add(this=total, expression=part)
        node.replace(exp.paren(total, copy=False))
    return tree


# --- strings -----------------------------------------------------------------------------------------------------

_JAVA_GROUP = re.compile(r"\\\$|\$\{(\d+)\}|\$(\d)")


def java_regex_replacement(tree: exp.Expression) -> exp.Expression:
    """Java's replacement `$1`/`${1}` is RE2's `\\1`; `\\$` is a literal dollar."""
    for node in tree.find_all(exp.RegexpReplace):
        repl = node.args.get("replacement")
        if isinstance(repl, exp.Literal) and repl.is_string and "$" in repl.this:
            text = _JAVA_GROUP.sub(lambda m: "$" if m.group(0) == "\\$" else "\\" + (m.group(1) or m.group(2)), repl.this)
            node.set("replacement", exp.Literal.string(text))
    return tree


def sha2_bits(tree: exp.Expression) -> exp.Expression:
    """DuckDB has SHA-256 only; sqlglot would silently compute SHA-256 for `sha2(x, 512)` — refuse instead."""
    for node in tree.find_all(exp.SHA2):
        length = node.args.get("length")
        bits = int(length.name) if isinstance(length, exp.Literal) and length.name.isdigit() else 256
        if bits not in (0, 256):
            raise UsageError(f"sha2(..., {bits}) is not available on the embedded warehouse (only 256).")
    return tree


def materialize_shared_ctes(tree: exp.Expression) -> exp.Expression:
    """`WITH x AS MATERIALIZED (...)` for a CTE read more than once, so DuckDB computes it once.

    Databricks reuses such subplans by itself; DuckDB inlines a CTE at every reference unless told otherwise,
    which made the cost attribution (its slices are read twice) and the grouping run twice.
    """
    for with_ in tree.find_all(exp.With):
        names = {cte.alias for cte in with_.expressions}
        counts = {name: 0 for name in names}
        for table in tree.find_all(exp.Table):
            if not table.args.get("db") and table.name in counts:
                counts[table.name] += 1
        for cte in with_.expressions:
            if counts.get(cte.alias, 0) > 1:
                cte.set("materialized", True)
    return tree


# Applied in order to every statement. Later transforms may rely on earlier ones.
TRANSFORMS: list[Transform] = [
    drop_catalogs,
    decimal_products,  # needs the table names without catalog, and runs before the generator rewrites
    explode_select_aliases,
    lateral_view_explode,
    group_by_all_with_qualify,
    first_last_ignore_nulls,
    count_if_bigint,
    percentiles,
    date_add_returns_date,
    timestampdiff_whole_units,
    make_interval,
    java_regex_replacement,
    sha2_bits,
    materialize_shared_ctes,
]


@lru_cache(maxsize=1024)
def to_duckdb(sql: str) -> str:
    """Databricks SQL → DuckDB SQL (one statement). Raises UsageError when it does not parse."""
    try:
        trees = [t for t in sqlglot.parse(sql, read="databricks") if t is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise UsageError(f"SQL does not parse: {_first_line(str(exc))}") from None
    if len(trees) != 1:
        raise UsageError("Give exactly one SQL statement.")
    tree = trees[0]
    for transform in TRANSFORMS:
        tree = transform(tree)
    return tree.sql(dialect="duckdb")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "parse error"
