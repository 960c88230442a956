"""The text rules, in the order they run and report (like sqlglot's optimizer RULES).

Each module holds one rule: `RULE = Rule(id, title, severity, check, reduction, assumption, rewrite)`.
Rule ids are a contract (reference/rules.md).
"""

from __future__ import annotations

from qopt.recommend.rule import Rule
from qopt.recommend.rules import (
    cartesian_join,
    correlated_subquery,
    count_distinct,
    distinct_with_group_by,
    implicit_join,
    join_on_or,
    leading_wildcard_like,
    non_sargable_predicate,
    not_in_subquery,
    order_by_in_subquery,
    order_by_rand,
    select_star,
    unbounded_order_by,
    union_distinct,
)

RULES: tuple[Rule, ...] = (
    select_star.RULE,
    unbounded_order_by.RULE,
    order_by_in_subquery.RULE,
    leading_wildcard_like.RULE,
    non_sargable_predicate.RULE,
    cartesian_join.RULE,
    implicit_join.RULE,
    join_on_or.RULE,
    union_distinct.RULE,
    count_distinct.RULE,
    distinct_with_group_by.RULE,
    order_by_rand.RULE,
    correlated_subquery.RULE,
    not_in_subquery.RULE,
)

BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
