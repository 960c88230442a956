"""Turn the strings of a Databricks result (`data_array`) into Python values, by the manifest's column types.

The Statement Execution API and Genie's query results send every cell as text (or null): `"42"`, `"1.2E7"`,
`"true"`, `"2026-11-26T03:00:00.000Z"`, `"{\"a\":1}"`. Both the Databricks warehouse and the Genie client use
this one conversion, keyed by the column's `type_name` (LONG, INT, DECIMAL, DOUBLE, BOOLEAN, DATE, TIMESTAMP,
STRING, ARRAY, MAP, STRUCT, ...).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

_INTEGER = {"BYTE", "SHORT", "INT", "LONG", "TINYINT", "SMALLINT", "BIGINT", "INTEGER"}
_FLOAT = {"FLOAT", "DOUBLE", "REAL"}
_COMPLEX = {"ARRAY", "MAP", "STRUCT"}


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # "1.2E7" or "12.0": large integers can come in exponent notation
        return int(Decimal(text))


def _float(text: str) -> float:
    lowered = text.strip().lower()
    if lowered in ("nan", "+nan", "-nan"):
        return math.nan
    if lowered in ("infinity", "+infinity", "inf", "+inf"):
        return math.inf
    if lowered in ("-infinity", "-inf"):
        return -math.inf
    return float(text)


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a decimal: {text!r}") from None


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "t", "yes"):
        return True
    if lowered in ("false", "0", "f", "no"):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _date(text: str) -> date:
    return date.fromisoformat(text.strip()[:10])


def _timestamp(text: str) -> datetime:
    """ISO-8601 text; `Z`, offsets and a space separator all accepted; naive values are UTC."""
    raw = text.strip().replace(" ", "T", 1)
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    value = datetime.fromisoformat(raw)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    **{name: _integer for name in _INTEGER},
    **{name: _float for name in _FLOAT},
    "DECIMAL": _decimal,
    "BOOLEAN": _boolean,
    "DATE": _date,
    "TIMESTAMP": _timestamp,
    "TIMESTAMP_NTZ": _timestamp,
    **{name: _json for name in _COMPLEX},
}


def type_name_of(column: Any) -> str:
    """The upper-case type name of a manifest column: an SDK `ColumnInfo`, a dict, or a plain string."""
    if isinstance(column, str):
        name = column
    elif isinstance(column, dict):
        name = column.get("type_name") or column.get("type_text") or "STRING"
    else:
        name = getattr(column, "type_name", None) or getattr(column, "type_text", None) or "STRING"
    name = getattr(name, "value", name)  # SDK enums
    return str(name).split("(")[0].split("<")[0].strip().upper()


def convert(text: str | None, type_name: str) -> Any:
    """One cell. Null stays None; a value that does not parse as its type stays text rather than failing."""
    if text is None:
        return None
    converter = _CONVERTERS.get(type_name.upper())
    if converter is None:
        return text
    try:
        return converter(text)
    except (ValueError, TypeError, ArithmeticError):
        return text


def convert_rows(types: Sequence[str], data_array: Iterable[Sequence[str | None]] | None) -> list[tuple[Any, ...]]:
    """Every row of a `data_array` (missing when the result is empty) converted by the columns' type names."""
    if not data_array:
        return []
    return [tuple(convert(cell, types[i] if i < len(types) else "STRING") for i, cell in enumerate(row)) for row in data_array]


def to_scalar(value: Any) -> str | int | float | bool | None:
    """A JSON/Reply-friendly scalar: decimals as numbers, dates as ISO text, nested values as JSON text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
