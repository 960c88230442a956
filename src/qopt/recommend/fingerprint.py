"""Fingerprints: one normalized form per recurring query.

Two statements that differ only in literal values, IN-list lengths, identifier case or quoting, comments and
whitespace are the same recurring query. `fingerprint(sql)` parses the statement with sqlglot (Databricks
dialect), replaces literals with `?`, collapses IN-lists and VALUES rows of literals to one placeholder,
lower-cases identifiers (Databricks resolves them case-insensitively), drops comments and regenerates the text.
The masked text is also what channels see: it carries no literal values.

The id is a BLAKE2b digest of the masked text (never Python's salted `hash()`), so it is the same across runs,
processes and machines. Anything that does not parse, and very large statements, fall back to a regex
normalization (`mask_literals`), so `fingerprint` never raises and always finishes in bounded time.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.databricks import Databricks

DIALECT = "databricks"
# Above this size the regex normalization is used: parsing a multi-megabyte statement is not worth it here.
MAX_PARSE_CHARS = 200_000

_SAFE_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# Every word that is (part of) a keyword: such identifiers stay quoted so the masked text parses back.
_KEYWORDS = frozenset(
    word.lower() for key in Databricks.Tokenizer.KEYWORDS for word in key.split() if word.isidentifier()
)

logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """`id`: 16 hex characters identifying the recurring query; `masked`: its normalized, literal-free text."""

    id: str
    masked: str


def fingerprint_id(masked: str) -> str:
    """The stable id of a masked text (16 hex characters)."""
    return hashlib.blake2b(masked.encode("utf-8"), digest_size=8).hexdigest()


@lru_cache(maxsize=8192)
def fingerprint(sql: str) -> Fingerprint:
    """The fingerprint of one statement (or of a `;`-separated script, statements joined by `; `)."""
    masked = normalize(sql)
    return Fingerprint(id=fingerprint_id(masked), masked=masked)


def normalize(sql: str) -> str:
    """The masked, normalized text of `sql`; never raises."""
    if not isinstance(sql, str):
        sql = "" if sql is None else str(sql)
    if len(sql) <= MAX_PARSE_CHARS:
        try:
            trees = [t for t in sqlglot.parse(sql, read=DIALECT) if t is not None]
        except Exception:  # noqa: BLE001 - any parser failure means: use the regex fallback
            trees = []
        if trees:
            try:
                return "; ".join(mask_tree(tree.copy()).sql(dialect=DIALECT, comments=False) for tree in trees)
            except Exception:  # noqa: BLE001 - a generator gap must not break grouping
                pass
    return mask_literals(sql)


def _is_constant(node: exp.Expression) -> bool:
    if isinstance(node, (exp.Literal, exp.Placeholder)):
        return True
    if isinstance(node, exp.Neg):
        return _is_constant(node.this)
    if isinstance(node, exp.Paren):
        return _is_constant(node.this)
    return False


def mask_tree(tree: exp.Expression) -> exp.Expression:
    """Mask literals and normalize identifiers of a parsed statement, in place (pass a copy)."""

    def visit(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Literal):
            return exp.Placeholder()
        if isinstance(node, exp.Neg) and _is_constant(node.this):
            return exp.Placeholder()
        if isinstance(node, exp.Identifier):
            name = str(node.this).lower()
            node.set("this", name)
            node.set("quoted", not _SAFE_IDENTIFIER.match(name) or name in _KEYWORDS)
            return node
        if isinstance(node, exp.Anonymous) and isinstance(node.this, str):
            node.set("this", node.this.lower())
            return node
        if isinstance(node, exp.Concat) and node.expressions and all(_is_constant(e) for e in node.expressions):
            return exp.Placeholder()  # 'a' 'b' is one literal written in two parts
        if isinstance(node, exp.In):
            items = node.expressions
            if items and all(_is_constant(item) for item in items):
                node.set("expressions", [exp.Placeholder()])
            return node
        if isinstance(node, exp.Values):
            rows = node.expressions
            if len(rows) > 1 and all(
                all(_is_constant(v) for v in (row.expressions if isinstance(row, exp.Tuple) else [row]))
                for row in rows
            ):
                node.set("expressions", rows[:1])
            return node
        return node

    return tree.transform(visit, copy=False)


# --- regex fallback ------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<str>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")      # string literals (Databricks: '...' and "...")
    | (?P<open>'[^']*$|"[^"]*$)                                # an unterminated string runs to the end
    | (?P<ident>`(?:[^`]|``)*`)                                # back-quoted identifier
    | (?P<comment>--[^\n]*|/\*.*?(?:\*/|$))                    # comments
    | (?P<num>(?<![\w.])(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?[a-zA-Z]{0,2}(?![\w]))  # numbers, 10L, 1.5D
    """,
    re.VERBOSE | re.DOTALL,
)
_IN_LIST = re.compile(r"\bin\s*\(\s*\?(?:\s*,\s*\?)*\s*\)")
_SPACE = re.compile(r"\s+")
_BEFORE = re.compile(r"\s+([),;])")
_AFTER = re.compile(r"([(])\s+")
_COMMA = re.compile(r",(?=\S)")
_BACKTICK_SAFE = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")


def _token(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind in ("str", "open", "num"):
        return "?"
    if kind == "comment":
        return " "
    return match.group(0)


def mask_literals(sql: str) -> str:
    """Cheap regex normalization: literals → `?`, comments dropped, IN-lists collapsed, case and spaces folded.

    Used for statements that do not parse or are too large to parse; linear in the size of the text.
    """
    if not isinstance(sql, str):
        sql = "" if sql is None else str(sql)
    text = _TOKEN.sub(_token, sql)
    text = text.lower()
    text = _BACKTICK_SAFE.sub(lambda m: m.group(1) if m.group(1) not in _KEYWORDS else m.group(0), text)
    text = _SPACE.sub(" ", text).strip()
    text = _BEFORE.sub(r"\1", text)
    text = _AFTER.sub(r"\1", text)
    text = _COMMA.sub(", ", text)
    text = _IN_LIST.sub("in (?)", text)
    return text.rstrip(";").strip()
