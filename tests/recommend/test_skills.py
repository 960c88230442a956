"""`optimize` and `recommend` in the shell over the small demo warehouse; savings recomputed independently."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

from qopt.demo.templates import TEMPLATES, render
from qopt.recommend.engine import analyze
from qopt.recommend.fingerprint import fingerprint
from tests.conftest import DEMO_NOW
from tests.costs.attribution_oracle import compute
from tests.skills.conftest import ask, bot, table  # noqa: F401 - shared fixtures

DAYS = 7


def test_every_demo_template_gets_exactly_its_declared_anti_patterns() -> None:
    """The generator labels the anti-patterns it plants; the engine finds those and no others."""
    for template in TEMPLATES:
        sql = render(template, date(2026, 11, 20))
        found = set(analyze(sql).rules) - {"implicit_join"}
        assert found == set(template.anti), template.key


async def test_recommend_ranks_by_saving_and_the_savings_recompute(ask, raw) -> None:
    reply = await ask(f"recommend --days {DAYS} --limit 8")
    assert reply.ok, reply.text
    columns, rows = table(reply)
    assert columns[:4] == ["fingerprint", "finding", "severity", "saving_usd_month"]
    savings = [r[3] for r in rows]
    assert savings == sorted(savings, reverse=True) and savings[0] > 0

    # Independent: per-statement attributed cost from the oracle, grouped by fingerprint in plain Python.
    start, end = DEMO_NOW - timedelta(days=DAYS), DEMO_NOW
    oracle = compute(raw, start, end)
    history = raw.execute(
        "SELECT statement_id, statement_text, read_files, pruned_files FROM query.history "
        "WHERE start_time >= ? AND start_time < ? AND statement_text IS NOT NULL", [start, end]
    ).fetchall()
    cost, files = defaultdict(float), defaultdict(lambda: [0, 0])
    for sid, text, read_files, pruned_files in history:
        fp = fingerprint(text).id
        cost[fp] += oracle.statement.get(sid, 0.0)
        files[fp][0] += read_files or 0
        files[fp][1] += pruned_files or 0

    reductions = {"select_star": 0.2, "non_sargable_predicate": 0.3, "count_distinct": 0.15, "unbounded_order_by": 0.1,
                  "leading_wildcard_like": 0.15, "small_files": 0.2, "disk_spill": 0.2, "shuffle_heavy": 0.15}
    checked = 0
    for fp, rule, _sev, saving, _prio, runs, cost_usd, _owners in rows:
        assert cost_usd == pytest.approx(cost[fp], abs=0.01)
        if rule == "low_file_pruning":
            read, pruned = files[fp]
            expected_reduction = 1 - 0.5 / (read / (read + pruned))
        elif rule in reductions:
            expected_reduction = reductions[rule]
        else:
            continue
        assert saving == pytest.approx(cost[fp] * expected_reduction * 30 / DAYS, abs=0.02), (fp, rule)
        checked += 1
    assert checked >= 3


async def test_recommend_top_carries_the_planted_anti_patterns(ask) -> None:
    reply = await ask(f"recommend --days {DAYS} --limit 10")
    _, rows = table(reply)
    planted = {fingerprint(render(t, date(2026, 11, 20))).id: t.anti for t in TEMPLATES}
    text_rows = [(fp, rule) for fp, rule, *_ in rows if rule in {r for a in planted.values() for r in a}]
    assert text_rows, "no text-rule opportunity among the top rows"
    for fp, rule in text_rows:
        if fp in planted:
            assert rule in planted[fp]
    # the costliest opportunities are queries the generator made bad on purpose
    assert any(planted.get(fp) for fp, *_ in rows[:5])


async def test_recommend_filters_and_empty_answer(ask) -> None:
    reply = await ask(f"recommend --days {DAYS} --user nobody@example.com")
    assert reply.ok and "No savings found" in reply.text
    reply = await ask("recommend --limit 0")
    assert reply.ok  # clamped to 1 with a note


async def test_optimize_plain_and_fenced(ask) -> None:
    plain = await ask("optimize SELECT * FROM main.sales.orders WHERE year(order_date) = 2026")
    fenced = await ask("optimize\n```sql\nSELECT * FROM main.sales.orders WHERE year(order_date) = 2026\n```")
    for reply in (plain, fenced):
        assert reply.ok, reply.text
        text = "\n".join(getattr(b, "text", "") for b in reply.blocks)
        assert "non_sargable_predicate" in text and "select_star" in text
        codes = [b.text for b in reply.blocks if b.type == "code"]
        assert any("order_date >= CAST('2026-01-01' AS DATE)" in c for c in codes)
        # the schema of the embedded warehouse expands the star
        assert any("total_amount" in c and "*" not in c for c in codes)


async def test_optimize_shows_savings_for_a_known_recurring_query(ask, raw) -> None:
    template = next(t for t in TEMPLATES if "select_star" in t.anti)
    text = raw.execute(
        "SELECT statement_text FROM query.history WHERE statement_text LIKE ? ORDER BY start_time DESC LIMIT 1",
        [template.sql.split("{")[0].strip()[:40] + "%"],
    ).fetchone()
    assert text, template.key
    reply = await ask("optimize " + text[0])
    assert reply.ok
    tables = [b for b in reply.blocks if b.type == "table"]
    assert tables and tables[0].columns[:2] == ["finding", "saving_usd_month"]
    assert all(r[1] > 0 for r in tables[0].rows)


async def test_optimize_bad_input(ask) -> None:
    reply = await ask("optimize")
    assert not reply.ok and "Usage" in reply.text
    reply = await ask("optimize SELEC * FRM t")
    assert reply.ok and "parse_error" in "\n".join(getattr(b, "text", "") for b in reply.blocks)


async def test_query_reply_includes_the_statement_findings_masked_for_others(ask, raw) -> None:
    sid, owner, text = raw.execute(
        "SELECT statement_id, executed_by, statement_text FROM query.history "
        "WHERE statement_text LIKE '%year(order_date)%' ORDER BY start_time DESC LIMIT 1"
    ).fetchone()
    year = text.split("year(order_date) = ")[1][:4]
    mine = await ask(f"query {sid}", email=owner, dm=True)
    texts = "\n".join(getattr(b, "text", "") for b in mine.blocks)
    assert "*Findings:*" in texts and "non_sargable_predicate" in texts and f"= {year}" in texts
    kinds = [b.type for b in mine.blocks]
    assert kinds.index("actions") > max(i for i, b in enumerate(mine.blocks) if "non_sargable" in getattr(b, "text", ""))
    other = await ask(f"query {sid}", email="someone.else@example.com", dm=False)
    texts = "\n".join(getattr(b, "text", "") for b in other.blocks)
    assert "non_sargable_predicate" in texts and f"= {year}" not in texts and "year(order_date) = ?" in texts
