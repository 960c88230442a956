"""Precision and recall of every text rule on a labeled corpus (default: tests/recommend/corpus).

Also scores the demo workload's templates, which declare the anti-patterns they carry on purpose: a second,
independently written label set. Run: `.venv/bin/python bench/rule_quality.py [CORPUS_DIR]`.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from qopt.recommend.quality import Case, Score, load_corpus, overall, score
from qopt.recommend.rules import RULES

HERE = Path(__file__).resolve().parent.parent


def template_cases() -> list[Case]:
    """Every (template, text rule) pair: positive when the template declares the anti-pattern."""
    from qopt.demo.templates import TEMPLATES, render

    cases = []
    for t in TEMPLATES:
        sql = render(t, date(2026, 11, 20))
        for rule in RULES:
            if rule.id == "implicit_join":
                continue
            cases.append(Case(rule=rule.id, sql=sql, positive=rule.id in t.anti, source=t.key))
    return cases


def table(title: str, scores: dict[str, Score]) -> None:
    print(f"\n{title}")
    print(f"{'rule':26} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>4}")
    for s in sorted(scores.values(), key=lambda s: s.rule) + [overall(scores)]:
        print(f"{s.rule:26} {s.precision:9.2f} {s.recall:7.2f} {s.tp:4} {s.fp:4} {s.fn:4} {s.tn:4}")
        for miss in s.misses:
            kind = "missed" if miss.positive else "false alarm"
            print(f"    {kind}: {' '.join(miss.sql.split())[:110]}")


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "tests" / "recommend" / "corpus"
    table(f"Labeled corpus ({corpus.name})", score(load_corpus(corpus)))
    table("Demo workload templates (declared anti-patterns)", score(template_cases()))


if __name__ == "__main__":
    main()
