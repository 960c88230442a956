"""Genie answers under the policy: the real databricks-sdk client against the local Genie emulator, through the
router, on Slack and Teams requests."""

from __future__ import annotations

import pytest

from qopt.bot.reply import Code
from tests.genie.conftest import (  # noqa: F401 - fixtures of the Genie tests, reused here
    _isolated_sdk, emulator, fake_time, genie_url, make_bot, make_genie, make_settings,
)
from tests.policy.conftest import ADMIN, OTHER_TEAM, SLACK, TEAMS, WORKSPACE_MAP, Asker, person

QUESTION = "ask who spent the most this week?"
ANA = "ana.silva@example.com"


def codes(reply) -> list[str]:
    return [b.text for b in reply.blocks if isinstance(b, Code)]


def show_sql(reply) -> str:
    for block in reply.blocks:
        for button in getattr(block, "buttons", []):
            if button.label == "Show SQL":
                return f"{button.action} {button.value}"
    raise AssertionError("no Show SQL button")


@pytest.mark.parametrize("asker", [SLACK, TEAMS], ids=["slack", "teams"])
async def test_a_person_limited_to_some_workspaces_is_not_sent_to_genie(make_bot, emulator, asker):
    bot = make_bot(workspace_map=WORKSPACE_MAP, admins=ADMIN)
    reply = await bot.handle(QUESTION, person(ANA, asker.platform), asker.dm())
    assert not reply.ok and "Genie answers over every workspace" in reply.text
    assert "`top`" in reply.text
    assert not [r for r in emulator.requests if "start-conversation" in r[1]]  # Genie never asked


@pytest.mark.parametrize("asker", [SLACK, TEAMS], ids=["slack", "teams"])
async def test_unmapped_place_gets_no_genie_answer(make_bot, emulator, asker):
    bot = make_bot(workspace_map=WORKSPACE_MAP, admins=ADMIN)
    place = Asker(asker.platform, OTHER_TEAM).channel()
    reply = await bot.handle(QUESTION, person(ANA, asker.platform), place)
    assert not reply.ok and "not mapped" in reply.text
    assert not [r for r in emulator.requests if "start-conversation" in r[1]]


@pytest.mark.parametrize("asker", [SLACK, TEAMS], ids=["slack", "teams"])
async def test_admin_gets_sql_in_a_dm_and_masked_sql_in_a_channel(make_bot, emulator, asker):
    bot = make_bot(workspace_map=WORKSPACE_MAP, admins=ADMIN)
    admin = person(ADMIN, asker.platform)
    in_dm = await bot.handle(QUESTION, admin, asker.dm())
    assert in_dm.ok, in_dm.text
    assert any("FROM qopt.genie_cost_attribution" in c for c in codes(in_dm))
    in_channel = await bot.handle(QUESTION, admin, asker.channel())
    assert in_channel.ok and not codes(in_channel)
    shown = await bot.handle(show_sql(in_channel), admin, asker.channel())
    assert shown.ok and "(masked)" in shown.text and "Literals are shown as ?" in str(shown.to_json())
    shared = await bot.handle(show_sql(in_channel), admin, asker.channel().model_copy(update={"shared": True}))
    assert "(masked)" not in shared.text and any("genie_cost_attribution" in c for c in codes(shared))


async def test_without_a_map_everyone_may_ask_genie_and_sql_stays_out_of_channels(make_bot, emulator):
    bot = make_bot()
    reply = await bot.handle(QUESTION, person(ANA), SLACK.channel())
    assert reply.ok and not codes(reply)
    dm = await bot.handle(QUESTION, person(ANA, "teams"), TEAMS.dm())
    assert dm.ok and codes(dm)

