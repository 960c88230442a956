"""Small parts of the Genie area: cell conversion by manifest type, space aliases, the offline planner."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from qopt.config import load_settings
from qopt.errors import ConfigError, UsageError
from qopt.genie.base import make_ref, parse_ref
from qopt.genie.offline import candidates, plan, window_days
from qopt.genie.spaces import SpaceDirectory, parse_aliases
from qopt.warehouse.types import convert, convert_rows, to_scalar, type_name_of


@pytest.mark.parametrize(
    ("text", "type_name", "expected"),
    [
        ("42", "LONG", 42),
        ("1.2E7", "LONG", 12_000_000),
        ("-3", "INT", -3),
        ("1.2E7", "DOUBLE", 12_000_000.0),
        ("0.1", "FLOAT", 0.1),
        ("12.50", "DECIMAL", Decimal("12.50")),
        ("true", "BOOLEAN", True),
        ("false", "BOOLEAN", False),
        ("2026-11-26", "DATE", date(2026, 11, 26)),
        ("2026-11-26T03:00:00.000Z", "TIMESTAMP", datetime(2026, 11, 26, 3, tzinfo=timezone.utc)),
        ("2026-11-26 03:00:00", "TIMESTAMP", datetime(2026, 11, 26, 3, tzinfo=timezone.utc)),
        ('{"a": 1}', "STRUCT", {"a": 1}),
        ("[1,2]", "ARRAY", [1, 2]),
        ("hello", "STRING", "hello"),
        (None, "LONG", None),
        ("not-a-number", "LONG", "not-a-number"),  # kept as text rather than failing
    ],
)
def test_convert(text, type_name, expected):
    assert convert(text, type_name) == expected


def test_convert_special_floats_and_rows():
    assert math.isnan(convert("NaN", "DOUBLE"))
    assert convert("-Infinity", "DOUBLE") == -math.inf
    assert convert_rows(["LONG", "STRING"], None) == []  # an empty result has no data_array
    assert convert_rows(["LONG", "STRING"], [["1", "a"], [None, None]]) == [(1, "a"), (None, None)]
    assert type_name_of({"type_name": "DECIMAL", "type_text": "decimal(38,2)"}) == "DECIMAL"
    assert type_name_of("decimal(10,2)") == "DECIMAL"
    assert to_scalar(Decimal("1.50")) == 1.5
    assert to_scalar(date(2026, 1, 2)) == "2026-01-02"
    assert to_scalar({"a": 1}) == '{"a": 1}'
    assert to_scalar(math.inf) == "inf"


def test_space_aliases():
    assert parse_aliases(" costs=01ef12, @Perf = 01f0-ab ") == {"costs": "01ef12", "perf": "01f0-ab"}
    with pytest.raises(ValueError):
        parse_aliases("costs")
    with pytest.raises(ValueError):
        parse_aliases("a=1,a=2")
    with pytest.raises(ConfigError, match="QOPT_GENIE_SPACES"):
        load_settings(genie_spaces="costs=bad id")
    directory = SpaceDirectory.from_settings(load_settings(genie_spaces="costs=s1,perf=s2"))
    assert directory.default == "s1"  # no QOPT_GENIE_SPACE_ID: the first alias
    assert directory.resolve("@perf why so slow?") == ("s2", "perf", "why so slow?")
    assert directory.resolve("plain question") == ("s1", None, "plain question")
    with pytest.raises(UsageError, match="@costs, @perf"):
        directory.resolve("@unknown hi")
    assert not SpaceDirectory.from_settings(load_settings()).configured


def test_refs_round_trip_and_refuse_junk():
    assert parse_ref(make_ref("01ef", "c-1", "m_2")) == ("01ef", "c-1", "m_2")
    for junk in ("", "a:b", "a:b:c:d", "a:b:c d", "a:b:<script>"):
        with pytest.raises(ValueError):
            parse_ref(junk)


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("who spent the most this week?", "cost --by user --days 7"),
        ("Which warehouses cost the most?", "cost --by warehouse"),
        ("spend by day for the last 30 days", "cost --by day --days 30"),
        ("show me daily cost", "cost --by day"),
        ("slowest queries yesterday", "top --by duration --days 2"),
        ("top 5 longest running queries", "top --by duration --limit 5"),
        ("what are the most expensive queries?", "top"),
        ("how much did we spend this month?", "cost --days 30"),
        ("which sku costs the most", "cost --by sku"),
        ("why is 01234567-89ab-cdef-0123-456789abcdef expensive?", "query 01234567-89ab-cdef-0123-456789abcdef"),
        ("why is warehouse analytics so expensive?", "cost --by user --warehouse analytics"),
    ],
)
def test_offline_plan(question, first):
    found = plan(question)
    assert found is not None
    assert candidates(found)[0] == first


def test_a_fingerprint_is_looked_up_first():
    found = plan("why is 3f2a9c0d1e4b5a69 expensive?")
    assert found is not None and found.builtin == "fingerprint" and found.subject == "3f2a9c0d1e4b5a69"


def test_failing_questions_are_answered_by_qopt_itself():
    found = plan("which queries failed in the last 3 days?")
    assert found is not None and found.builtin == "failing" and found.days == 3


def test_offline_plan_declines_other_questions():
    assert plan("what is the meaning of life") is None
    assert window_days("in the last 14 days") == 14
    assert window_days("over the past 2 weeks") == 14
