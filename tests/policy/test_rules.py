"""The policy's building blocks on their own: the workspace map, the access decision, list parameters and the
commands chat never reaches."""

from __future__ import annotations

import duckdb
import pytest

from qopt.bot.request import Identity, Place
from qopt.bot.router import Router
from qopt.bot.skill import Services, Skill
from qopt.config import Settings, load_settings
from qopt.errors import ConfigError
from qopt.policy import AccessDenied, decide, for_channel
from qopt.policy.workspaces import WorkspaceMap
from qopt.warehouse.duckdb import DuckDBWarehouse
from qopt.warehouse.lists import expand_lists
from tests.policy.conftest import ADMIN, person


# -- QOPT_WORKSPACE_MAP ------------------------------------------------------------------------------------------

def test_map_format():
    m = WorkspaceMap.parse(" slack:T012 = 111,222 ; teams:ab-cd=333;channel:C9=*; channel:19:x@thread.tacv2=444 ;")
    assert m.lookup("slack", "T012", "C1") == (True, ("111", "222"))
    assert m.lookup("teams", "ab-cd", "19:y@thread.tacv2") == (True, ("333",))
    assert m.lookup("slack", "T012", "C9") == (True, None)  # the channel entry wins; * = all
    assert m.lookup("teams", "ab-cd", "19:x@thread.tacv2;messageid=99") == (True, ("444",))
    assert m.lookup("slack", "T999", "C1") == (False, ())
    assert m.lookup("teams", "T012", None) == (False, ())  # a Slack team id is not a Teams tenant
    assert not WorkspaceMap.parse("").is_set and not WorkspaceMap.parse(" ; ").is_set


@pytest.mark.parametrize("bad", ["slack=1", "slack:T1", "discord:X=1", "slack:T1=", "slack:T1=1;slack:T1=2",
                                 "slack:T1=12 34", "slack:T1=1'; DROP TABLE x"])
def test_bad_map_is_one_clear_config_error(bad):
    with pytest.raises(ConfigError) as caught:
        load_settings(workspace_map=bad)
    assert str(caught.value).startswith("QOPT_WORKSPACE_MAP:")


# -- the decision --------------------------------------------------------------------------------------------------

SETTINGS = Settings(admins=f"{ADMIN.upper()}, other-admin@example.com", workspace_map="slack:T1=11;teams:tn=22")
DM = Place(platform="slack", team_id="T1", channel_id="D1", is_dm=True)
CHANNEL = Place(platform="slack", team_id="T1", channel_id="C1", is_dm=False)


def test_admin_match_is_by_email_case_insensitive_and_needs_an_email():
    assert decide(person(ADMIN), DM, SETTINGS).admin
    assert not decide(Identity(user_id=ADMIN), DM, SETTINGS).admin  # a user id that looks like an admin's email
    assert not decide(person("ana@example.com"), DM, SETTINGS).admin


@pytest.mark.parametrize(
    ("who", "place", "share", "owner", "visible"),
    [
        ("ana@example.com", DM, False, "ana@example.com", True),
        ("ana@example.com", DM, False, "ANA@example.com", True),
        ("ana@example.com", DM, False, "bo@example.com", False),
        ("ana@example.com", DM, False, None, False),
        ("ana@example.com", CHANNEL, True, "ana@example.com", False),
        (ADMIN, DM, False, "bo@example.com", True),
        (ADMIN, CHANNEL, False, "bo@example.com", False),
        (ADMIN, CHANNEL, True, "bo@example.com", True),
    ],
)
def test_statement_text(who, place, share, owner, visible):
    assert decide(person(who), place, SETTINGS, share=share).may_see_statement_text(owner) is visible


def test_workspaces_per_place():
    assert decide(person("a@x.io"), DM, SETTINGS).workspaces == ("11",)
    assert decide(person("a@x.io", "teams"), Place(platform="teams", team_id="tn", is_dm=True), SETTINGS).workspaces == ("22",)
    unmapped = decide(person("a@x.io"), Place(platform="slack", team_id="T2", is_dm=True), SETTINGS)
    assert not unmapped.mapped and unmapped.workspaces == ()
    with pytest.raises(AccessDenied, match="not mapped"):
        unmapped.scope()
    assert decide(person(ADMIN), Place(platform="slack", team_id="T2", is_dm=True), SETTINGS).workspaces is None
    shell = decide(Identity(user_id="op"), Place(platform="shell"), SETTINGS)
    assert shell.mapped and shell.workspaces is None and not shell.admin


def test_scope_carries_the_allow_list_and_refuses_other_workspaces():
    access = decide(person("a@x.io"), DM, SETTINGS)
    scope = access.scope(user="b@x.io", workspace="11")
    assert scope.workspaces == ("11",) and scope.params()["workspaces"] == ["11"] and scope.workspace == "11"
    with pytest.raises(AccessDenied, match="can't see workspace `22`"):
        access.scope(workspace="22")


def test_channel_posts_never_show_sql():
    access = for_channel(Place(platform="slack", team_id="T1", channel_id="C1", is_dm=True), SETTINGS)
    assert access.workspaces == ("11",) and not access.sql_visible and not access.admin
    assert not access.may_see_statement_text("channel:C1")
    assert not for_channel(Place(platform="teams", team_id="elsewhere", channel_id="19:q"), SETTINGS).mapped


# -- list parameters ---------------------------------------------------------------------------------------------

def test_list_parameters_expand_to_one_placeholder_each():
    sql = "SELECT a FROM t WHERE a IN (:ws) AND b = :b"
    assert expand_lists(sql, {"ws": ["1", "2"], "b": 3}) == (
        "SELECT a FROM t WHERE a IN (:ws_0, :ws_1) AND b = :b", {"b": 3, "ws_0": "1", "ws_1": "2"})
    assert expand_lists(sql, {"ws": None, "b": 3})[0] == "SELECT a FROM t WHERE TRUE AND b = :b"
    assert expand_lists(sql, {"b": 3})[0] == "SELECT a FROM t WHERE TRUE AND b = :b"
    assert expand_lists(sql, {"ws": [], "b": 3})[0] == "SELECT a FROM t WHERE FALSE AND b = :b"
    assert expand_lists("SELECT :x", {"x": [1]}) == ("SELECT :x", {"x": [1]})  # not in an IN list: untouched


async def test_list_parameters_run_on_duckdb():
    conn = duckdb.connect()
    conn.execute("CREATE TABLE t (a VARCHAR)")
    conn.execute("INSERT INTO t VALUES ('1'), ('2'), ('3'), ('x'' OR 1=1 --')")
    w = DuckDBWarehouse.from_connection(conn)
    sql = "SELECT a FROM t WHERE a IN (:ws) ORDER BY a"
    assert [r[0] for r in await w.query(sql, {"ws": ["1", "3"]})] == ["1", "3"]
    assert len(await w.query(sql, {"ws": None})) == 4
    assert len(await w.query(sql, {"ws": []})) == 0
    assert [r[0] for r in await w.query(sql, {"ws": ["x' OR 1=1 --"]})] == ["x' OR 1=1 --"]  # a value, not SQL


# -- commands chat never reaches -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["sql SELECT 1", "SQL select * from system.billing.usage", "/qopt sql DROP TABLE x",
                                  "config", "settings show", "set QOPT_ADMINS=me@x.io", "env", "secrets"])
async def test_sql_and_configuration_are_refused_in_chat(bot, text):
    from tests.policy.conftest import SLACK, sent

    reply = await bot.handle(text, person(ADMIN), SLACK.dm())
    assert not reply.ok and "not available in chat" in reply.text
    assert sent(bot) == []


def test_no_skill_is_named_like_a_forbidden_command(bot):
    names = {w for s in bot.router.commands for w in (s.name, *s.aliases)}
    assert not names & {"sql", "config", "configure", "settings", "set", "env"}


def test_a_router_with_a_sql_skill_cannot_be_built():
    class SqlSkill(Skill):
        name = "sql"
        summary = "run SQL"

    class Innocent(Skill):
        name = "innocent"
        summary = "x"
        aliases = ("config",)

    services = Services(settings=Settings(), warehouse=DuckDBWarehouse.from_connection(duckdb.connect()))
    for skill in (SqlSkill(), Innocent()):
        with pytest.raises(ValueError, match="never run from chat"):
            Router([skill], services)
