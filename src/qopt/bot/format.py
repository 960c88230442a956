"""Format values the same way on every platform: money, durations, bytes, percentages."""

from __future__ import annotations

from datetime import date, datetime

from qopt.bot.reply import Scalar, Unit


def money(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 100:
        return f"${value:,.0f}"
    return f"${value:,.2f}"


def duration(ms: float | None) -> str:
    if ms is None:
        return "–"
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    seconds = round(ms / 1000)
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min"


def size(n: float | None) -> str:
    if n is None:
        return "–"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"  # pragma: no cover


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def count(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def value(v: Scalar | date | datetime, unit: Unit | None = None) -> str:
    """One cell or field value as text."""
    if v is None:
        return "–"
    if unit == "usd":
        return money(float(v))  # type: ignore[arg-type]
    if unit == "ms":
        return duration(float(v))  # type: ignore[arg-type]
    if unit == "bytes":
        return size(float(v))  # type: ignore[arg-type]
    if unit == "pct":
        return percent(float(v))  # type: ignore[arg-type]
    if unit == "count":
        return count(float(v))  # type: ignore[arg-type]
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)
