"""What the engine reports: a finding, its optional rewrite, its optional saving.

Rule ids and severities are a contract (reference/rules.md; `qopt optimize --format json` prints them).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Severity = Literal["high", "medium", "low"]
Priority = Literal["High", "Medium", "Low"]
Source = Literal["text", "metrics"]

SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2}


class Rewrite(BaseModel):
    """The statement before and after a mechanical rewrite (sqlglot transformation).

    `equivalent` is True only where the rewrite returns the same rows; otherwise `note` says when it does
    (e.g. "only if the branches cannot return the same row") or that it is approximate.
    """

    before: str
    after: str
    equivalent: bool
    note: str = ""


class Saving(BaseModel):
    """Estimated monthly saving of one finding on one recurring query (fingerprint)."""

    monthly_usd: float
    reduction: float  # expected share of the fingerprint's cost the fix removes, 0..1
    window_cost_usd: float  # attributed cost of the fingerprint over the window
    window_days: float
    priority: Priority
    assumption: str


class Finding(BaseModel):
    rule: str
    severity: Severity
    message: str  # what is wrong, why it costs money on Databricks, what to do
    fragment: str | None = None  # the offending SQL, as written (truncated)
    line: int | None = None  # 1-based, in the statement
    col: int | None = None  # 1-based
    offset: int | None = None  # 0-based character offset in the statement
    source: Source = "text"
    column: str | None = None  # the column concerned, when there is one (used to combine findings)
    rewrite: Rewrite | None = None
    saving: Saving | None = None
    # Set by metric findings that measure their own expected reduction (savings.py uses the rule's otherwise).
    reduction: float | None = None
    assumption: str | None = None

    def to_json(self, **extra: Any) -> dict[str, Any]:
        """The JSON form of `qopt optimize`: extra keys (e.g. `statement`) first, empty fields dropped."""
        body = self.model_dump(mode="json", exclude_none=True)
        return {**extra, **body}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by position; stable for equal keys."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.offset if f.offset is not None else 1 << 62))
