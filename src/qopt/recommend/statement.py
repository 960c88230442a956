"""A parsed statement as the rules see it: the sqlglot tree, its text, the query parts to analyse, positions.

Rules are pure functions of a `Statement` (and its optional schema). The statement walks its tree once and
indexes the nodes by type, so thirteen rules do not walk the tree thirteen times. MERGE, INSERT … SELECT and
CREATE TABLE … AS SELECT are analysed on their query part; UPDATE and DELETE on their own predicates.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from qopt.recommend.fingerprint import DIALECT

if TYPE_CHECKING:
    from qopt.recommend.schema import Schema

E = TypeVar("E", bound=exp.Expression)

FRAGMENT_CHARS = 200


@dataclass
class ParseFailure:
    message: str
    line: int | None = None
    col: int | None = None
    offset: int | None = None
    fragment: str | None = None


@dataclass
class Statement:
    sql: str
    tree: exp.Expression
    schema: Schema | None = None
    _index: dict[type, list[exp.Expression]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        index: dict[type, list[exp.Expression]] = defaultdict(list)
        for root in self.roots:
            for node in root.walk():
                index[type(node)].append(node)
        self._index = index

    @cached_property
    def roots(self) -> list[exp.Expression]:
        """The parts of the statement the rules analyse; the first is the main query."""
        return query_parts(self.tree)

    @cached_property
    def outer_queries(self) -> set[int]:
        """ids of the outermost query (its ORDER BY sorts the final result); the first of the roots."""
        return {id(r) for r in self.roots[:1] if isinstance(r, exp.Query)}

    @cached_property
    def cte_names(self) -> frozenset[str]:
        """Names of the CTEs defined anywhere in the analysed parts (a table with another name is no CTE)."""
        return frozenset(cte.alias.lower() for cte in self.tree.find_all(exp.CTE))

    @cached_property
    def top_selects(self) -> set[int]:
        """ids of the SELECTs whose rows are the result: the roots and the branches of their set operations."""
        out: set[int] = set()
        stack = list(self.roots[:1])
        while stack:
            node = stack.pop()
            if isinstance(node, exp.Subquery):
                stack.append(node.this)
            elif isinstance(node, exp.SetOperation):
                stack.extend((node.this, node.expression))
            elif isinstance(node, exp.Select):
                out.add(id(node))
        return out

    def nodes(self, *types: type[E]) -> Iterator[E]:
        """Nodes of the given types inside the analysed parts, in tree order within each type."""
        for kind, nodes in self._index.items():
            if issubclass(kind, types):
                yield from nodes  # type: ignore[misc]

    def has(self, *types: type[exp.Expression]) -> bool:
        return any(True for _ in self.nodes(*types))

    # --- positions ---------------------------------------------------------------------------------------------

    def span(self, node: exp.Expression) -> tuple[int, int] | None:
        """(start, end) character offsets of `node` in `sql` (end exclusive), from the tokens' positions."""
        start, end = None, None
        for sub in node.walk():
            meta = sub._meta  # noqa: SLF001 - sqlglot keeps token positions here; `meta` would create a dict
            if not meta:
                continue
            s, e = meta.get("start"), meta.get("end")
            if s is None or e is None:
                continue
            start = s if start is None or s < start else start
            end = e if end is None or e > end else end
        if start is None or end is None:
            return None
        end += 1
        text = self.sql
        # Keywords and parentheses carry no position: widen the span over the ones that belong to the node.
        before = _BEFORE.get(type(node)) or next((p for k, p in _BEFORE_BASE if isinstance(node, k)), None)
        if before is not None:
            m = before.search(text, max(0, start - 80), start)
            if m:
                start = m.start()
        if end > start and (text[end - 1].isalnum() or text[end - 1] == "_"):
            m = _OPEN.match(text, end)  # a function name whose argument list carries no position: `rand()`
            if m and text.count("(", start, end) <= text.count(")", start, end):
                end = m.end()
        for _ in range(_unopened(text, start, end)):
            m = _OPEN_BEFORE.search(text, max(0, start - 40), start)  # `CAST(` and other unpositioned openers
            if not m:
                break
            start = m.start()
        depth = text.count("(", start, end) - text.count(")", start, end)
        while depth > 0:
            m = _CLOSE.match(text, end)
            if not m:
                break
            end = m.end()
            depth -= 1
        return start, end

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in _NEWLINE.finditer(self.sql)]

    def locate(self, node: exp.Expression, *, prefix: str = "") -> dict[str, object]:
        """Position fields of a finding for `node`: fragment (as written), line, col, offset."""
        span = self.span(node)
        if span is None:
            return {"fragment": _short(prefix + node.sql(dialect=DIALECT))}
        start, end = span
        line = bisect.bisect_right(self._line_starts, start)
        col = start - self._line_starts[line - 1] + 1
        return {"fragment": _short(prefix + self.sql[start:end]), "line": line, "col": col, "offset": start}


_NEWLINE = re.compile(r"\n")


def _unopened(text: str, start: int, end: int) -> int:
    """How many `)` in text[start:end] close a `(` that lies before `start` (quotes are skipped)."""
    depth = lowest = 0
    quote = ""
    for ch in text[start:end]:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            lowest = min(lowest, depth)
    return -lowest

_CLOSE = re.compile(r"[^()'\"]*?\)")
_OPEN = re.compile(r"\s*\(")
_OPEN_BEFORE = re.compile(
    r"(?:\b(?!(?:and|or|not|in|on|where|when|then|else|having|exists|by|select|is|like|between)\b)\w+\s*)?\(\s*$",
    re.IGNORECASE,
)
_I = re.IGNORECASE
_BEFORE: dict[type, re.Pattern[str]] = {
    exp.Order: re.compile(r"\bORDER\s+BY\s+$", _I),
    exp.Subquery: re.compile(r"\(\s*(?:SELECT\s+(?:DISTINCT\s+|ALL\s+)?)?$", _I),
    exp.Select: re.compile(r"\bSELECT\s+(?:DISTINCT\s+|ALL\s+)?$", _I),
    exp.Join: re.compile(
        r"(?:,|\b(?:(?:NATURAL\s+)?(?:CROSS|INNER|(?:LEFT|RIGHT|FULL)(?:\s+OUTER)?|(?:LEFT\s+)?(?:SEMI|ANTI))\s+)?JOIN)\s*$",
        _I,
    ),
    exp.Not: re.compile(r"\bNOT\s+$", _I),
}
_BEFORE_BASE: tuple[tuple[type, re.Pattern[str]], ...] = ()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= FRAGMENT_CHARS else text[: FRAGMENT_CHARS - 1] + "…"


def query_parts(tree: exp.Expression) -> list[exp.Expression]:
    """What to analyse: the query itself, or the query part of INSERT / CTAS / MERGE; UPDATE and DELETE whole."""
    if isinstance(tree, exp.Query):
        return [tree]
    if isinstance(tree, (exp.Insert, exp.Create)):
        body = tree.expression
        if not isinstance(body, exp.Query):
            return []
        with_ = tree.args.get("with_")  # `WITH c AS (...) INSERT INTO t SELECT ... FROM c`
        return [body] + ([cte.this for cte in with_.expressions] if with_ is not None else [])
    if isinstance(tree, exp.Merge):
        using = tree.args.get("using")
        if isinstance(using, exp.Subquery) and isinstance(using.this, exp.Query):
            return [using.this]
        return []
    if isinstance(tree, (exp.Update, exp.Delete)):
        return [tree]
    return []


def parse(sql: str) -> Statement | ParseFailure:
    """Parse one statement (Databricks dialect)."""
    try:
        trees = [t for t in sqlglot.parse(sql, read=DIALECT) if t is not None]
    except ParseError as exc:
        return _parse_failure(sql, exc)
    except TokenError as exc:
        return ParseFailure(message=_first_line(str(exc)) or "the SQL could not be read (unbalanced quote?)")
    except RecursionError:
        return ParseFailure(message="the statement is nested too deeply to analyse")
    except Exception as exc:  # noqa: BLE001 - the parser must never crash the caller
        return ParseFailure(message=_first_line(str(exc)) or type(exc).__name__)
    if not trees:
        return ParseFailure(message="no SQL statement found")
    if len(trees) > 1:
        return ParseFailure(message="more than one statement: analyse them one at a time (split on ';')")
    tree = trees[0]
    if isinstance(tree, (exp.Condition, exp.Alias, exp.Identifier, exp.Tuple)):
        # A bare expression is not a statement: `SELEC a` reads as the column SELEC aliased `a`.
        word = sql.split(None, 1)[0][:40] if sql.split() else sql[:40]
        start = len(sql) - len(sql.lstrip())
        return ParseFailure(
            message=f"`{word}` does not start a SQL statement", line=sql.count("\n", 0, start) + 1,
            col=start - (sql.rfind("\n", 0, start) + 1) + 1, offset=start, fragment=word,
        )
    if isinstance(tree, exp.Command) and str(tree.this).upper() not in COMMAND_WORDS:
        word = str(tree.this)[:40]
        return ParseFailure(message=f"`{word}` does not start a SQL statement", line=1, col=1, offset=0, fragment=word)
    return Statement(sql=sql, tree=tree)


# Statements sqlglot keeps as an opaque command: valid Databricks SQL, nothing for the rules to analyse.
COMMAND_WORDS = frozenset(
    """ADD ALTER ANALYZE CACHE CALL CLEAR CLONE COMMENT CONVERT COPY CREATE DECLARE DESC DESCRIBE DROP EXECUTE
    EXPLAIN FSCK GET GRANT LIST LOAD MSCK OPTIMIZE PUT REFRESH REMOVE REORG REPAIR REPLACE RESET RESTORE REVOKE
    SET SHOW SYNC TRUNCATE UNCACHE UNDROP UNSET USE VACUUM BEGIN COMMIT ROLLBACK""".split()
)


def _parse_failure(sql: str, exc: ParseError) -> ParseFailure:
    errors = exc.errors or []
    first = errors[0] if errors else {}
    message = str(first.get("description") or _first_line(str(exc)) or "syntax error")
    message = re.sub(r"<Token token_type: TokenType\.\w+, text: (.*?), line: \d+.*?>", r"'\1'", message)
    line, col = first.get("line"), first.get("col")
    highlight = str(first.get("highlight") or "")
    offset = None
    if isinstance(line, int) and isinstance(col, int):
        col = max(1, col - len(highlight) + 1)  # sqlglot reports the column where the token ends
        offset = _offset(sql, line, col)
    return ParseFailure(message=message, line=line, col=col, offset=offset, fragment=_short(highlight) or None)


def _offset(sql: str, line: int, col: int) -> int | None:
    pos = 0
    for _ in range(line - 1):
        pos = sql.find("\n", pos)
        if pos < 0:
            return None
        pos += 1
    return pos + col - 1


def _first_line(text: str) -> str:
    text = text.strip()
    return text.splitlines()[0] if text else ""


@dataclass(frozen=True)
class Piece:
    """One statement of a script: its text and where it starts in the script."""

    index: int
    sql: str
    start: int


def split_statements(text: str) -> list[Piece]:
    """Split a script on `;` with sqlglot's tokenizer: semicolons inside strings or comments do not split.

    Pieces holding only whitespace or comments are dropped. Text the tokenizer cannot read (an unterminated
    string) stays in one piece, so the analysis reports it as a parse error.
    """
    tokenizer = sqlglot.Dialect.get_or_raise(DIALECT).tokenizer()
    try:
        tokens = tokenizer.tokenize(text)
    except TokenError:
        tokens = list(tokenizer.tokens)
        tail_start = tokens[-1].end + 1 if tokens else 0
    else:
        tail_start = None
    pieces: list[Piece] = []
    start = 0
    has_token = False
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if has_token:
                pieces.append(Piece(len(pieces), text[start : token.start], start))
            start, has_token = token.end + 1, False
        else:
            has_token = True
    if tail_start is not None:
        has_token = has_token or bool(text[tail_start:].strip())
    if has_token:
        pieces.append(Piece(len(pieces), text[start:], start))
    # Leading whitespace is not part of a statement; keep `start` pointing at its first character.
    out = []
    for p in pieces:
        stripped = p.sql.lstrip()
        out.append(Piece(p.index, stripped.rstrip(), p.start + (len(p.sql) - len(stripped))))
    return out
