"""The command parser: prefixes, flags, clamping, and friendly errors for bad input."""

import pytest

from qopt.bot.options import DAYS, LIMIT, Option
from qopt.bot.parser import parse_options, split_command, tokenize
from qopt.errors import UsageError

BY = Option("by", "choice", "cost", choices=("cost", "duration", "runs", "spill"))
USER = Option("user", "str")
EACH = Option("each", "flag", False)
OPTIONS = [DAYS, LIMIT, BY, USER, EACH]


@pytest.mark.parametrize(
    "text, word, rest",
    [
        ("/qopt top --days 7", "top", "--days 7"),
        ("qopt top", "top", ""),
        ("TOP --limit 5", "top", "--limit 5"),
        ("   ", "", ""),
        ("", "", ""),
        ("optimize\nSELECT 1", "optimize", "SELECT 1"),
        ("/qopt", "", ""),
        ("qoptimize x", "qoptimize", "x"),
    ],
)
def test_split_command(text, word, rest):
    assert split_command(text) == (word, rest)


def test_full_example_parses():
    args, pos, notes = parse_options(
        "top", tokenize("--days 7 --limit 5 --by duration --user ana@example.com --each"), OPTIONS
    )
    assert args == {"days": 7, "limit": 5, "by": "duration", "user": "ana@example.com", "each": True}
    assert pos == [] and notes == []


def test_defaults_and_equals_form():
    args, _, _ = parse_options("top", ["--days=30"], OPTIONS)
    assert args["days"] == 30 and args["limit"] == 10 and args["by"] == "cost" and args["each"] is False


@pytest.mark.parametrize("raw, expected", [("0", 1), ("10000", 100), ("-3", 1)])
def test_limit_is_clamped_with_a_note(raw, expected):
    args, _, notes = parse_options("top", ["--limit", raw], OPTIONS)
    assert args["limit"] == expected
    assert len(notes) == 1 and "out of range" in notes[0] and str(expected) in notes[0]


@pytest.mark.parametrize(
    "tokens, fragment",
    [
        (["--days", "seven"], "needs a number"),
        (["--days", "1.5"], "whole number"),
        (["--days", "0"], "between 1 and 365"),
        (["--days", "99999"], "between 1 and 365"),
        (["--dyas", "7"], "Did you mean `--days`"),
        (["--limit"], "needs a value"),
        (["--by", "durration"], "Did you mean `duration`"),
        (["--each=yes"], "takes no value"),
    ],
)
def test_bad_input_is_a_usage_error(tokens, fragment):
    with pytest.raises(UsageError) as info:
        parse_options("top", tokens, OPTIONS)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_unbalanced_quote_is_forgiven():
    assert tokenize('--user "ana') == ["--user", '"ana']


def test_positionals_are_kept():
    _, pos, _ = parse_options("query", ["01ef-abc", "--days", "3"], OPTIONS)
    assert pos == ["01ef-abc"]


def test_arguments_model_enforces_bounds_whoever_builds_the_arguments():
    import pydantic

    from qopt.bot.options import validate_arguments

    assert validate_arguments(OPTIONS, {"days": 30, "limit": 5, "by": "runs", "user": "a@b.c", "each": True}) == {
        "days": 30, "limit": 5, "by": "runs", "user": "a@b.c", "each": True}
    for bad in ({"days": 999}, {"limit": 0}, {"by": "drop table"}, {"user": "x" * 1000}, {"sql": "SELECT 1"}):
        with pytest.raises(pydantic.ValidationError):
            validate_arguments(OPTIONS, bad)
