"""Throughput of qopt's text rules vs `sqlfluff lint --dialect databricks` on the same statements, one core.

Statements: the demo workload's templates (dashboard, ETL, ad-hoc, Genie, alert and notebook queries),
rendered for several days so literals differ. qopt parses each statement with sqlglot and runs every text rule
(no caching: each statement is analysed from scratch); sqlfluff lints the same text through its Python API
(the work `sqlfluff lint` does per file, without process start-up). Run: `.venv/bin/python bench/bench_rules.py`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import date, timedelta


def statements(count: int) -> list[str]:
    from qopt.demo.templates import TEMPLATES, render

    out: list[str] = []
    day = date(2026, 11, 20)
    i = 0
    while len(out) < count:
        template = TEMPLATES[i % len(TEMPLATES)]
        out.append(render(template, day - timedelta(days=i // len(TEMPLATES))))
        i += 1
    return out


def rate(fn, items: list[str], repeat: int) -> float:
    """Best-of-`repeat` statements per second."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for sql in items:
            fn(sql)
        best = min(best, time.perf_counter() - started)
    return len(items) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=740, help="statements for qopt (default 740)")
    parser.add_argument("--sqlfluff-statements", type=int, default=74, help="statements for sqlfluff (default 74)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    import sqlfluff

    from qopt.recommend.engine import analyze

    items = statements(args.statements)
    sizes = [len(s) for s in items]
    analyze(items[0])  # warm up imports
    qopt_rules = rate(lambda s: analyze(s, rewrites=False), items, args.repeat)
    qopt_full = rate(lambda s: analyze(s), items, args.repeat)
    fluff_items = items[: args.sqlfluff_statements]
    sqlfluff.lint(fluff_items[0], dialect="databricks")  # warm up
    fluff = rate(lambda s: sqlfluff.lint(s, dialect="databricks"), fluff_items, 1)
    qopt_same = rate(lambda s: analyze(s, rewrites=False), fluff_items, args.repeat)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, one core")
    print(f"statements: {len(items)} (median {statistics.median(sizes):.0f} chars, max {max(sizes)})")
    print(f"qopt text rules (parse + 14 rules):      {qopt_rules:8.0f} statements/s")
    print(f"qopt text rules + rewrites:              {qopt_full:8.0f} statements/s")
    print(f"qopt on the sqlfluff subset ({len(fluff_items)}):        {qopt_same:8.0f} statements/s")
    print(f"sqlfluff lint --dialect databricks ({len(fluff_items)}): {fluff:8.1f} statements/s")
    print(f"ratio qopt / sqlfluff (same statements): {qopt_same / fluff:8.0f}x")


if __name__ == "__main__":
    main()
