"""`optimize <SQL>`: what is wrong with a statement, the rewrite, and what fixing it would save.

The SQL may be plain or inside a ``` block; several `;`-separated statements are analysed one by one.
`optimize <statement_id>` analyses a statement from history (as the `query` reply's button does) together with
the metrics of that run. Savings appear when the statement's fingerprint is a recurring query of the last 30 days.
"""

from __future__ import annotations

import html
import re

from qopt import policy
from qopt.bot.reply import Context, Header, Reply, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from qopt.errors import QoptError, UsageError
from qopt.queries import load
from qopt.recommend.engine import Analysis, analyze, analyze_row
from qopt.recommend.finding import Finding
from qopt.recommend.opportunities import known_query
from qopt.recommend.render import finding_blocks, savings_table, summary
from qopt.recommend.savings import with_savings
from qopt.recommend.schema import InformationSchemaProvider
from qopt.recommend.statement import split_statements
from qopt.workload import Scope, Window

WINDOW_DAYS = 30
MAX_STATEMENTS = 5
USAGE = "Usage: `optimize <SQL>` (plain, or inside a ``` block), or `optimize <statement_id>`."
_FENCE = re.compile(r"```[ \t]*(?:sql|SQL|databricks)?[ \t]*\n?(.*?)```", re.DOTALL)
_STATEMENT_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{15,}$")


def extract_sql(text: str) -> str:
    """The SQL of a chat message: the first ``` block if there is one, chat escapes undone."""
    text = html.unescape(text or "")
    fenced = _FENCE.search(text)
    if fenced:
        return fenced.group(1).strip()
    text = text.strip()
    if len(text) > 1 and text.startswith("`") and text.endswith("`"):
        text = text.strip("`").strip()
    return text


class OptimizeSkill(Skill):
    name = "optimize"
    summary = "Analyse SQL: findings (what, why, what to do), the rewritten SQL, and the monthly saving if it recurs."
    examples = ("optimize SELECT * FROM main.sales.orders WHERE year(order_date) = 2024",)
    positional = "<SQL | statement_id>"
    raw_text = True
    aliases = ("lint", "analyse", "analyze")

    async def run(self, request: Request, services: Services) -> Reply:
        sql = extract_sql(request.rest)
        if not sql:
            raise UsageError(USAGE)
        if _STATEMENT_ID.match(sql) and "-" in sql:
            return await self._from_history(sql, request, services)
        pieces = split_statements(sql)
        if not pieces:
            raise UsageError(USAGE)
        window = Window.last_days(services.clock(), WINDOW_DAYS)
        scope = policy.access(request, services.settings).scope()  # savings from the asker's workspaces only
        blocks: list = [Header(text="qopt optimize")]
        texts = []
        for piece in pieces[:MAX_STATEMENTS]:
            analysis = await _with_schema(analyze(piece.sql), services)
            findings = await _savings(analysis, services, window, scope)
            label = f"Statement {piece.index + 1}: " if len(pieces) > 1 else ""
            texts.append(f"{label}{summary(findings)}")
            blocks.append(Text(text=f"*{label}{summary(findings)}* — fingerprint `{analysis.fingerprint.id}`"))
            if not findings:
                blocks.append(Text(text="Nothing to change: no rule of the catalog applies to this statement."))
            blocks.extend(finding_blocks(findings))
            table = savings_table(findings)
            if table is not None:
                blocks.append(table)
                blocks.append(Context(text=_assumptions(findings)))
            elif findings and analysis.parsed:
                blocks.append(Context(text=f"No saving shown: this statement is not among the recurring queries of "
                                           f"the last {WINDOW_DAYS} days."))
        if len(pieces) > MAX_STATEMENTS:
            blocks.append(Context(text=f"Only the first {MAX_STATEMENTS} of {len(pieces)} statements were analysed."))
        return Reply(text="; ".join(texts), blocks=blocks)

    async def _from_history(self, statement_id: str, request: Request, services: Services) -> Reply:
        window = Window.last_days(services.clock(), WINDOW_DAYS)
        access = policy.access(request, services.settings)
        scope = access.scope()  # only statements of the workspaces the asker may see
        params = {**window.params(), **scope.params(), "statement_id": statement_id}
        rows = (await services.warehouse.query(load("statement"), params, tag="optimize")).dicts()
        if not rows:
            raise UsageError(f"No statement `{statement_id[:60]}` in the last {WINDOW_DAYS} days. {USAGE}")
        row = rows[0]
        may_see = access.may_see_statement_text(row.get("executed_by"))
        known = await known_query(services.warehouse, window, analyze(row.get("statement_text") or "").fingerprint.id,
                                  scope=scope)
        per_run = known.cost_usd / known.runs if known and known.runs else None
        analysis = analyze_row(row, services.settings, cost_usd=per_run)
        findings = analysis.findings
        if known is not None:
            findings = with_savings(findings, window_cost_usd=known.cost_usd, window_days=window.days,
                                    settings=services.settings)
        text = f"Statement {statement_id}: {summary(findings)}"
        blocks: list = [Header(text=f"qopt optimize {statement_id[:36]}"), Text(text=f"*{summary(findings)}*")]
        blocks.extend(finding_blocks(findings, show_text=may_see))
        table = savings_table(findings)
        if table is not None:
            blocks.extend([table, Context(text=_assumptions(findings))])
        if not may_see:
            blocks.append(Context(text="Rewrites and literal values are shown only in a DM to the statement's author."))
        return Reply(text=text, blocks=blocks)


async def _with_schema(analysis: Analysis, services: Services) -> Analysis:
    """Run again with the tables' columns when a `SELECT *` could be expanded (needs the warehouse)."""
    if analysis.statement is None or "select_star" not in analysis.rules:
        return analysis
    try:
        schema = await InformationSchemaProvider(services.warehouse).for_tree(analysis.statement.tree)
    except QoptError:
        return analysis
    return analyze(analysis.sql, schema=schema) if len(schema) else analysis


async def _savings(analysis: Analysis, services: Services, window: Window, scope: Scope) -> list[Finding]:
    if not analysis.parsed or not analysis.findings:
        return analysis.findings
    try:
        known = await known_query(services.warehouse, window, analysis.fingerprint.id, scope=scope)
    except QoptError:
        return analysis.findings
    if known is None:
        return analysis.findings
    return with_savings(analysis.findings, window_cost_usd=known.cost_usd, window_days=window.days,
                        settings=services.settings)


def _assumptions(findings: list[Finding]) -> str:
    first = next(f.saving for f in findings if f.saving is not None and f.saving.monthly_usd > 0)
    return f"Saving = {first.assumption}. Each finding states its own expected reduction."
