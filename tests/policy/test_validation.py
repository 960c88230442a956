"""Every option of every skill has bounds, and out-of-bounds values get a clear reply before any SQL runs."""

from __future__ import annotations

import pytest

from qopt.bot.options import Option
from tests.policy.conftest import SLACK, person, sent


def every_option(bot) -> list[tuple[str, Option]]:
    return [(s.name, o) for s in bot.router.commands for o in s.options]


def test_every_option_is_bounded(bot):
    options = every_option(bot)
    assert len(options) > 20
    for skill, option in options:
        where = f"{skill} {option.flag}"
        if option.kind in ("int", "float"):
            assert option.min is not None and option.max is not None, where
            assert option.min <= (option.default if option.default is not None else option.min) <= option.max, where
        elif option.kind == "choice":
            assert option.choices and (option.default is None or option.default in option.choices), where
        elif option.kind == "str":
            assert 0 < option.max_length <= 1000, where
        else:
            assert option.kind == "flag" and option.default is False, where


@pytest.mark.parametrize(("text", "message"), [
    ("top --days 0", "between 1 and 365"),
    ("top --days 1e9", "needs a number"),
    ("top --page 51", "between 1 and 50"),
    ("top --by price", "takes one of cost, duration, runs, spill"),
    ("top --user " + "a" * 400 + "@example.com", "at most 320 characters"),
    ("cost --workspace 12;DROP", "does not look like ID"),
    ("query x --days -1", "between 1 and 365"),
    ("recommend --days 366", "between 1 and 365"),
    ("audit --limit many", "needs a number"),
    ("top --warehouse", "needs a value"),
])
async def test_bad_values_are_refused_before_sql(bot, text, message):
    reply = await bot.handle(text, person("ana.silva@example.com"), SLACK.dm())
    assert not reply.ok and message in reply.text
    assert sent(bot) == []


async def test_limits_out_of_range_are_clamped_with_a_note(bot):
    reply = await bot.handle("top --limit 1000 --days 2", person("ana.silva@example.com"), SLACK.dm())
    assert reply.ok and "--limit 1000 is out of range; using 100" in reply.text + str(reply.to_json())
