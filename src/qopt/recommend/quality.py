"""Precision and recall of the text rules on a labeled corpus.

A corpus is a directory of YAML files, one per rule: `rule: <id>`, `positive: [sql, ...]` (the rule must
report), `negative: [sql, ...]` (it must not). Used by the corpus test and `bench/rule_quality.py`; point it
at your own labeled queries to measure the rules on your workload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qopt.recommend.engine import analyze


@dataclass(frozen=True)
class Case:
    rule: str
    sql: str
    positive: bool
    source: str


@dataclass
class Score:
    rule: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misses: list[Case] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_corpus(directory: Path) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        rule = str(data["rule"])
        for label in ("positive", "negative"):
            for sql in data.get(label) or []:
                cases.append(Case(rule=rule, sql=str(sql), positive=label == "positive", source=path.name))
    return cases


def score(cases: list[Case]) -> dict[str, Score]:
    """Per rule: a case counts for the rule it is labeled for (positive: must report; negative: must not)."""
    scores: dict[str, Score] = {}
    for case in cases:
        s = scores.setdefault(case.rule, Score(case.rule))
        fired = case.rule in analyze(case.sql, rewrites=False).rules
        if case.positive and fired:
            s.tp += 1
        elif case.positive:
            s.fn += 1
            s.misses.append(case)
        elif fired:
            s.fp += 1
            s.misses.append(case)
        else:
            s.tn += 1
    return scores


def overall(scores: dict[str, Score]) -> Score:
    total = Score("overall")
    for s in scores.values():
        total.tp += s.tp
        total.fp += s.fp
        total.fn += s.fn
        total.tn += s.tn
    return total
