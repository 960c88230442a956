"""Offline answers: without a Genie space, map common questions onto qopt's own commands.

"Who spent the most this week?" becomes `cost --by user --days 7`; "slowest queries" becomes `top --by duration`.
A plan lists candidate commands, best first; the `ask` skill runs the first one the router accepts (so the plan
stays right when a command's options change) and labels the reply as an offline answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

from qopt.warehouse.base import Result, Warehouse
from qopt.workload import Window, recurring_queries

HOW_TO_CONNECT = (
    "Connect Genie for free-form questions: create a Genie space over the views from `qopt genie-setup`, then set "
    "QOPT_GENIE_SPACE_ID (and DATABRICKS_HOST with a token or OAuth client)."
)

EXAMPLES = (
    "who spent the most this week?",
    "which warehouses cost the most?",
    "spend by day for the last 30 days",
    "slowest queries yesterday",
    "failing queries today",
    "why is 3f2a9c0d1e4b5a69 expensive?",
)

_COST = r"(cost|costs|costly|spend|spent|spending|expensive|money|dollars|\$|bill|billing|pay|paid|dbus?)"
_ID_HEX = re.compile(r"\b[0-9a-f]{16}\b")
_ID_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")


@dataclass
class OfflinePlan:
    meaning: str  # what the answer shows, for the reply's label
    commands: list[str] = field(default_factory=list)  # candidates, best first, without window/limit flags
    flags: list[str] = field(default_factory=list)  # window and limit flags, tried first with and then without
    days: int | None = None
    limit: int | None = None
    builtin: str | None = None  # answered here rather than by a command (see `failing`, `latest_run`)
    subject: str | None = None  # the fingerprint or name the question is about


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


def window_days(text: str) -> int | None:
    """The window a question names: today, yesterday, this week, last N days, this month, ..."""
    match = re.search(r"\b(?:last|past|previous)?\s*(\d{1,3})\s*(day|days|d)\b", text)
    if match:
        return max(1, min(int(match.group(1)), 365))
    match = re.search(r"\b(?:last|past|previous)?\s*(\d{1,2})\s*weeks?\b", text)
    if match:
        return max(1, min(int(match.group(1)) * 7, 365))
    for pattern, days in (
        (r"\btoday\b", 1), (r"\byesterday\b", 2), (r"\b(this|last|past|previous) week\b|\bweekly\b", 7),
        (r"\b(this|last|past|previous) month\b|\bmonthly\b", 30), (r"\bquarter\b", 90), (r"\byear\b", 365),
    ):
        if re.search(pattern, text):
            return days
    return None


def _limit(text: str) -> int | None:
    match = re.search(r"\btop\s+(\d{1,3})\b", text) or re.search(r"\b(\d{1,3})\s+(most|biggest|slowest|largest)\b", text)
    return max(1, min(int(match.group(1)), 100)) if match else None


def plan(question: str) -> OfflinePlan | None:
    """The commands that answer `question`, or None when it is not one qopt can answer offline."""
    text = " ".join(question.lower().split())
    flags: list[str] = []
    days = window_days(text)
    if days:
        flags += ["--days", str(days)]
    limit = _limit(text)
    if limit:
        flags += ["--limit", str(limit)]

    why = re.search(r"\bwhy (?:is|are|was|were|does|did)\s+(.+?)\s+(?:so\s+)?(expensive|costly|slow|cost|spend)", text)
    subject = why.group(1) if why else ""
    original = question
    ident = _ID_UUID.search(original.lower()) or _ID_HEX.search(original.lower())
    if why or (ident and _has(_COST + r"|\bslow", text)):
        if ident and len(ident.group(0)) == 16:  # a fingerprint: its latest run is looked up first
            return OfflinePlan(f"what drives the cost of {ident.group(0)}", [], [], days, builtin="fingerprint",
                               subject=ident.group(0))
        if ident:
            return OfflinePlan(f"what drives the cost of {ident.group(0)}", [f"query {ident.group(0)}"], [])
        email = _EMAIL.search(original)
        if email:
            return OfflinePlan(f"the most expensive queries of {email.group(0)}", [f"top --user {email.group(0)}"], flags)
        name = re.sub(r"^((the|our|my)\s+)?((sql\s+)?(warehouse|endpoint)\s+)?|\s+(warehouse|endpoint)$", "", subject)
        name = name.strip(" '\"`")
        if name and _has(r"warehouse|endpoint", subject):
            return OfflinePlan(
                f"who and what costs the most on warehouse {name}",
                [f"cost --by user --warehouse {name}", f"top --warehouse {name}"], flags,
            )
    failing = _has(r"\b(fail|fails|failed|failing|failure|failures|errors?|erroring|broken)\b", text)
    if failing:
        return OfflinePlan("the failing queries", [], flags, days, limit, builtin="failing")
    if _has(r"\b(slow|slower|slowest|longest|long[- ]running|duration|takes? (the )?longest|latency)\b", text):
        return OfflinePlan("the slowest queries", ["top --by duration", "top --sort duration", "top --order duration"], flags)
    costly = _has(_COST, text) or _has(r"\b(most|top|biggest)\b", text)
    by_time = _has(r"\b(by|per|each|every) (day|date)\b|\bdaily\b|\bover time\b|\btrend\b|\bday by day\b", text)
    if by_time and costly:
        return OfflinePlan("spend by day", ["cost --by day", "cost --by date", "cost --daily"], flags)
    for pattern, group, meaning in (
        (r"\b(who|whom|users?|people|persons?|analysts?|teams?)\b", "user", "cost by user"),
        (r"\b(warehouses?|endpoints?)\b", "warehouse", "cost by warehouse"),
        (r"\b(skus?)\b", "sku", "cost by SKU"),
        (r"\b(products?)\b", "product", "cost by product"),
        (r"\b(workspaces?)\b", "workspace", "cost by workspace"),
    ):
        if _has(pattern, text) and costly:
            return OfflinePlan(meaning, [f"cost --by {group}"], flags)
    if _has(r"\b(quer(y|ies)|statements?|sql)\b", text) and costly:
        return OfflinePlan("the most expensive recurring queries", ["top"], flags)
    if _has(r"\b(how much|total|overall)\b", text) and _has(_COST, text):
        return OfflinePlan("total spend", ["cost"], flags)
    return None


async def failing(warehouse: Warehouse, window: Window, limit: int = 10) -> Result:
    """Failed statements grouped by user, warehouse and type (aggregates only)."""
    sql = resources.files(__package__).joinpath("failing.sql").read_text(encoding="utf-8")
    result = await warehouse.query(sql, {"start": window.start, "end": window.end}, tag="genie.offline.failing")
    return Result(result.columns, result.rows[:limit])


async def latest_run(warehouse: Warehouse, window: Window, fingerprint: str) -> str | None:
    """The latest statement id of the recurring query with this fingerprint in the window, if any."""
    found = await recurring_queries(warehouse, window, limit=1000, tag="genie.offline.fingerprint")
    match = next((q for q in found if q.fingerprint == fingerprint), None)
    return match.last_statement_id if match else None


def candidates(found: OfflinePlan) -> list[str]:
    """Every command line to try, best first: each command with its flags, then without."""
    out: list[str] = []
    for command in found.commands:
        if found.flags:
            out.append(" ".join([command, *found.flags]))
            if "--limit" in found.flags and "--days" in found.flags:
                i = found.flags.index("--days")
                out.append(" ".join([command, *found.flags[i : i + 2]]))
        out.append(command)
    return list(dict.fromkeys(out))
