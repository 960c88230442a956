"""The recommendation engine: parse a statement once, run the text rules in order, attach rewrites.

`analyze(sql)` never raises: SQL that does not parse becomes one `parse_error` finding with the parser's message
and position. A failing rule is logged and skipped. Each rule reports at most `MAX_PER_RULE` findings per
statement, and rewrites are produced only below `MAX_REWRITE_CHARS`, so a megabyte statement stays bounded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp

from qopt.config import Settings
from qopt.recommend.finding import Finding, Rewrite, sort_findings
from qopt.recommend.fingerprint import DIALECT, Fingerprint, fingerprint
from qopt.recommend.metrics import metric_findings
from qopt.recommend.rule import Rule
from qopt.recommend.rules import RULES
from qopt.recommend.schema import Schema
from qopt.recommend.statement import ParseFailure, Piece, Statement, parse, split_statements

log = logging.getLogger(__name__)

MAX_PER_RULE = 25
MAX_REWRITE_CHARS = 20_000  # dashboard queries are far smaller; rewrites copy and regenerate the tree


@dataclass
class Analysis:
    sql: str
    findings: list[Finding] = field(default_factory=list)
    statement: Statement | None = None  # None when the SQL did not parse

    @property
    def fingerprint(self) -> Fingerprint:
        return fingerprint(self.sql)

    @property
    def parsed(self) -> bool:
        return self.statement is not None

    @property
    def rules(self) -> list[str]:
        return [f.rule for f in self.findings]

    @property
    def joins(self) -> bool:
        return self.statement is not None and self.statement.has(exp.Join)


def parse_error(failure: ParseFailure) -> Finding:
    near = f" near `{failure.fragment}`" if failure.fragment else ""
    return Finding(
        rule="parse_error",
        severity="medium",
        message=(
            f"The SQL does not parse as Databricks SQL{near}: {failure.message}. Fix the syntax (or check that "
            "it is one complete statement) to get recommendations."
        ),
        fragment=failure.fragment,
        line=failure.line,
        col=failure.col,
        offset=failure.offset,
    )


def analyze(
    sql: str, *, schema: Schema | None = None, rules: Sequence[Rule] = RULES, rewrites: bool = True
) -> Analysis:
    """Text findings of one statement, most severe first, with rewrites where they are mechanical."""
    parsed = parse(sql)
    if isinstance(parsed, ParseFailure):
        return Analysis(sql=sql, findings=[parse_error(parsed)])
    statement = parsed
    statement.schema = schema
    findings: list[Finding] = []
    before: list[str] = []  # the original, pretty-printed once for all rewrites
    for rule in rules:
        try:
            found = rule.check(statement)
        except Exception:  # noqa: BLE001 - one broken rule must not hide the others
            log.exception("rule %s failed", rule.id)
            continue
        if len(found) > MAX_PER_RULE:
            extra = len(found) - MAX_PER_RULE
            found = found[:MAX_PER_RULE]
            last = found[-1]
            found[-1] = last.model_copy(update={"message": f"{last.message} ({extra} more like this not shown.)"})
        if found and rewrites and rule.rewrite is not None and len(sql) <= MAX_REWRITE_CHARS:
            rewrite = _rewrite(rule, statement, before)
            if rewrite is not None:
                found[0] = found[0].model_copy(update={"rewrite": rewrite})
        findings.extend(found)
    return Analysis(sql=sql, findings=sort_findings(findings), statement=statement)


def _rewrite(rule: Rule, statement: Statement, before_cache: list[str]) -> Rewrite | None:
    try:
        result = rule.rewrite(statement)  # type: ignore[misc]
        if result is None:
            return None
        if not before_cache:
            before_cache.append(statement.tree.sql(dialect=DIALECT, pretty=True))
        before = before_cache[0]
        after = result.tree.sql(dialect=DIALECT, pretty=True)
        if after == before:
            return None
        sqlglot.parse_one(after, read=DIALECT)  # every rewrite must parse
    except Exception:  # noqa: BLE001 - no rewrite is better than a broken one
        log.exception("rewrite of %s failed", rule.id)
        return None
    return Rewrite(before=before, after=after, equivalent=result.equivalent, note=result.note)


@dataclass
class ScriptResult:
    pieces: list[Piece]
    analyses: list[Analysis]

    def findings(self) -> list[tuple[int, Finding]]:
        return [(p.index, f) for p, a in zip(self.pieces, self.analyses) for f in a.findings]


def analyze_script(text: str, *, schema: Schema | None = None) -> ScriptResult:
    """Each `;`-separated statement of a script analysed on its own."""
    pieces = split_statements(text)
    return ScriptResult(pieces, [analyze(p.sql, schema=schema) for p in pieces])


def analyze_row(
    row: Mapping[str, Any],
    settings: Settings,
    *,
    cost_usd: float | None = None,
    runs_in_day: int | None = None,
    schema: Schema | None = None,
) -> Analysis:
    """Text findings of a history row's statement plus the metric insights of its run, combined."""
    analysis = analyze(str(row.get("statement_text") or ""), schema=schema)
    text = [f for f in analysis.findings if f.rule != "parse_error"]
    metrics = metric_findings(
        row, settings, text_findings=text, joins=analysis.joins, cost_usd=cost_usd, runs_in_day=runs_in_day
    )
    analysis.findings = sort_findings(metrics + analysis.findings)
    return analysis
