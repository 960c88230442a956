"""Every labeled corpus case: positives are reported by their rule, tricky negatives are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from qopt.recommend.engine import analyze
from qopt.recommend.quality import load_corpus, overall, score
from qopt.recommend.rules import RULES

CORPUS = Path(__file__).parent / "corpus"
CASES = load_corpus(CORPUS)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{'pos' if c.positive else 'neg'}-{i}" for i, c in enumerate(CASES)])
def test_labeled_case(case) -> None:
    rules = analyze(case.sql).rules
    if case.positive:
        assert case.rule in rules, f"{case.rule} should report: {case.sql}"
    else:
        assert case.rule not in rules, f"{case.rule} should stay quiet: {case.sql}"


def test_every_text_rule_has_five_positives_and_five_negatives() -> None:
    for rule in RULES:
        pos = [c for c in CASES if c.rule == rule.id and c.positive]
        neg = [c for c in CASES if c.rule == rule.id and not c.positive]
        assert len(pos) >= 5 and len(neg) >= 5, rule.id


def test_score_counts_agree_with_the_cases() -> None:
    scores = score(CASES)
    total = overall(scores)
    assert total.tp + total.fn == sum(c.positive for c in CASES)
    assert total.fp + total.tn == sum(not c.positive for c in CASES)
