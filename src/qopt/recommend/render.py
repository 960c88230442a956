"""Findings as platform-neutral reply blocks (the `optimize`, `recommend` and `query` skills share these)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from qopt.bot.reply import Block, Code, Context, Reply, Table, Text
from qopt.config import Settings
from qopt.recommend.finding import Finding
from qopt.recommend.fingerprint import mask_literals

MAX_SHOWN = 10
MAX_CODE_CHARS = 2500  # chat platforms cut long blocks (Slack: 3,000 characters per text)


def _clip(text: str, limit: int = MAX_CODE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_CODE_SPAN = re.compile(r"`([^`]*)`")


def mask_code_spans(text: str) -> str:
    """Literal values out of the SQL quoted in a message (for viewers who may not see the statement's text)."""
    return _CODE_SPAN.sub(lambda m: f"`{mask_literals(m.group(1))}`", text)


def finding_line(f: Finding, *, show_text: bool = True) -> str:
    where = f" (line {f.line}, col {f.col})" if f.line else ""
    frag = ""
    if f.fragment:
        shown = f.fragment if show_text else mask_literals(f.fragment)
        frag = f" At `{shown.replace('`', '')}`."
    message = f.message if show_text else mask_code_spans(f.message)
    return f"*[{f.severity}] {f.rule}*{where}: {message}{frag}"


def finding_blocks(findings: Sequence[Finding], *, show_text: bool = True, rewrites: bool = True) -> list[Block]:
    """One paragraph per finding (most severe first); rewrites as before/after code blocks."""
    blocks: list[Block] = []
    for f in findings[:MAX_SHOWN]:
        blocks.append(Text(text=finding_line(f, show_text=show_text)))
        if f.rewrite is not None and rewrites and show_text:
            label = "Equivalent rewrite" if f.rewrite.equivalent else "Rewrite (not equivalent in every case)"
            blocks.append(Text(text=f"_{label}_ — before:"))
            blocks.append(Code(text=_clip(f.rewrite.before)))
            blocks.append(Text(text="after:"))
            blocks.append(Code(text=_clip(f.rewrite.after)))
            if f.rewrite.note:
                blocks.append(Context(text=f.rewrite.note))
    if len(findings) > MAX_SHOWN:
        blocks.append(Context(text=f"{len(findings) - MAX_SHOWN} more findings not shown."))
    return blocks


def savings_table(findings: Sequence[Finding]) -> Table | None:
    rows = [
        [f.rule, f.saving.monthly_usd, f.saving.priority, f"{f.saving.reduction:.0%}"]
        for f in findings
        if f.saving is not None and f.saving.monthly_usd > 0
    ]
    if not rows:
        return None
    rows.sort(key=lambda r: -float(r[1]))
    return Table(
        title="Estimated monthly saving",
        columns=["finding", "saving_usd_month", "priority", "expected_reduction"],
        rows=rows,
        units={"saving_usd_month": "usd"},
    )


def summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return "no findings"
    counts = {s: sum(f.severity == s for f in findings) for s in ("high", "medium", "low")}
    parts = [f"{n} {s}" for s, n in counts.items() if n]
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(parts)})"


def with_findings(reply: Reply, row: Mapping[str, Any], settings: Settings, *, cost_usd: float | None,
                  show_text: bool) -> Reply:
    """`reply` (a statement's details) with the findings of that statement and run, before its buttons."""
    from qopt.recommend.engine import analyze_row

    findings = analyze_row(row, settings, cost_usd=cost_usd).findings
    blocks: list[Block] = [Text(text=f"*Findings:* {summary(findings)}" + ("" if findings else " — nothing to change."))]
    blocks.extend(finding_blocks(findings, show_text=show_text, rewrites=False))
    if any(f.rewrite for f in findings):
        blocks.append(Context(text="`optimize` on this statement shows the rewritten SQL."))
    at = next((i for i, b in enumerate(reply.blocks) if b.type == "actions"), len(reply.blocks))
    reply.blocks[at:at] = blocks
    return reply
