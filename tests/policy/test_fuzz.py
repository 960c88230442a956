"""Arbitrary input: every message gets a Reply, no exception escapes, and nothing a person types reaches SQL
except as a parameter value."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qopt.app import Bot
from qopt.bot.reply import Reply
from qopt.bot.request import Identity, Place
from qopt.config import load_settings
from qopt.errors import UsageError
from qopt.state import open_state
from tests.conftest import DEMO_NOW
from tests.policy.conftest import ADMIN, SLACK, TEAMS, WORKSPACE_MAP, RecordingWarehouse, person

INTERNAL_ERROR = "something went wrong on my side"
INJECTIONS = ["' OR 1=1 --", "'; DROP TABLE query.history; --", "x\"; DELETE FROM billing.usage; --",
              "1) UNION SELECT statement_text FROM query.history --", "$1", ":workspaces", "?"]


@pytest.fixture
def sync_bot(demo_warehouse_path, tmp_path):
    """A bot on its own event loop, for Hypothesis (which drives synchronous tests). Limits off."""
    loop = asyncio.new_event_loop()
    values = dict(admins=ADMIN, workspace_map=WORKSPACE_MAP, data_dir=tmp_path, user_requests_per_minute=0,
                  channel_requests_per_minute=0, state_url=f"sqlite:///{tmp_path / 'state.sqlite'}")
    cfg = load_settings(**values)
    bot = Bot(cfg, warehouse=RecordingWarehouse(demo_warehouse_path), clock=lambda: DEMO_NOW,
              state=open_state(cfg.resolved_state_url, clock=lambda: DEMO_NOW))

    def handle(text: str, user: Identity, place: Place) -> Reply:
        return loop.run_until_complete(asyncio.wait_for(bot.handle(text, user, place), 60))

    yield bot, handle
    loop.run_until_complete(bot.close())
    loop.close()


PLACES = st.sampled_from([SLACK.dm(), SLACK.channel(), TEAMS.dm(), TEAMS.channel(), Place(platform="shell"),
                          Place(platform="slack", team_id="T0NOBODY", channel_id="C1", is_dm=False)])
PEOPLE = st.sampled_from([person("ana.silva@example.com"), person(ADMIN), Identity(user_id="U0NOEMAIL")])


def _words(bot: Bot) -> list[str]:
    return sorted({w for s in bot.router.commands for w in (s.name, *s.aliases)})


def _flags(bot: Bot) -> list[str]:
    return sorted({o.flag for s in bot.router.commands for o in s.options})


def test_parser_accepts_or_refuses_with_a_usage_error(sync_bot):
    bot, _ = sync_bot

    @given(st.text(max_size=300))
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def check(text: str) -> None:
        try:
            skill, request = bot.router.parse(text, user=person("a@example.com"), place=SLACK.dm())
        except UsageError as exc:
            assert str(exc).strip()
            return
        assert request.command == skill.name

    check()


def test_every_message_to_every_skill_gets_a_reply(sync_bot):
    bot, handle = sync_bot
    words, flags = _words(bot), _flags(bot)
    value = st.one_of(st.text(max_size=40), st.integers(-10**12, 10**12).map(str), st.sampled_from(INJECTIONS),
                      st.floats(allow_nan=True, allow_infinity=True).map(str))
    token = st.one_of(st.sampled_from(flags), st.sampled_from(flags).flatmap(lambda f: value.map(lambda v: f"{f}={v}")),
                      value, st.sampled_from(words))
    message = st.one_of(
        st.text(max_size=200),
        st.tuples(st.sampled_from(words), st.lists(token, max_size=6)).map(lambda t: " ".join([t[0], *t[1]])),
    )

    @given(message, PEOPLE, PLACES)
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def check(text: str, user: Identity, place: Place) -> None:
        reply = handle(text, user, place)
        assert isinstance(reply, Reply) and reply.text.strip()
        assert INTERNAL_ERROR not in reply.text, (text, reply.text)

    check()


@pytest.mark.parametrize("injection", INJECTIONS[:4])
async def test_injection_in_arguments_reaches_sql_only_as_a_parameter(make_bot, raw, injection):
    bot = make_bot(user_requests_per_minute=0, channel_requests_per_minute=0)
    admin, shell = person(ADMIN), Place(platform="shell")
    quoted = injection.replace('"', '\\"')
    commands = [
        f'top --user "{quoted}"', f'top --warehouse "{quoted}"', f'top --workspace "{quoted}"',
        f'top --each --user "{quoted}"', f'cost --workspace "{quoted}" --by user', f'query "{quoted}"',
        f'query "{quoted}" --sql', f'audit --user "{quoted}"', f'audit --command "{quoted}"',
        f"ask how much did {injection} cost?",
    ]
    for command in commands:
        before = len(bot.services.warehouse.sent)
        reply = await bot.handle(command, admin, shell)
        assert INTERNAL_ERROR not in reply.text, (command, reply.text)
        for sql, params in bot.services.warehouse.sent[before:]:
            assert injection not in sql, command
    reached = [p for _, p in bot.services.warehouse.sent if injection in p.values()]
    assert len(reached) >= 5  # the values did reach the warehouse — as parameters
    # And the tables are all still there, with every row.
    assert raw.execute("SELECT COUNT(*) FROM query.history").fetchone()[0] == 4000
