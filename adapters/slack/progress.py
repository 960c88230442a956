"""The placeholder shown while a slow answer is being computed: "Looking at 7 days of queries…"."""

from __future__ import annotations

from typing import Any

from qopt.errors import QoptError

DEFAULT = "Working on it…"


def placeholder_text(router: Any, text: str) -> str:
    """Say what is being looked at, from the parsed options; parsing has no side effects."""
    try:
        skill, request = router.parse(text)
    except QoptError:
        return DEFAULT
    days = request.args.get("days")
    if isinstance(days, int) and days > 0:
        return f"Looking at {days} day{'s' if days != 1 else ''} of queries…"
    if skill.name in ("optimize",):
        return "Reading your SQL…"
    return DEFAULT
