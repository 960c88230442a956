"""Whose statement text is shown where: owners in a DM see their own, admins any in a DM, nobody in a channel —
unless an admin uses `--share` — on Slack and Teams, through the router."""

from __future__ import annotations

import re

import pytest

from qopt.bot.request import Place
from tests.policy.conftest import ADMIN, ANALYTICS, SLACK, TEAMS, person, texts

ANA, BRUNO = "ana.silva@example.com", "someone.else@example.com"
LITERAL = re.compile(r"'[^']*[0-9@][^']*'")  # a data literal (dates, ids, e-mails), not 'MONTH'


@pytest.fixture
def statement(raw):
    """(statement_id, owner, a literal of its text) — a statement of ana's in the analytics workspace."""
    sid, owner, text = raw.execute(
        "SELECT statement_id, executed_by, statement_text FROM query.history WHERE executed_by = ? "
        "AND workspace_id = ? AND execution_status = 'FINISHED' AND statement_text LIKE '%''%''%' "
        "AND start_time >= TIMESTAMP '2026-11-10' ORDER BY statement_id LIMIT 1",
        ["ana.silva@example.com", ANALYTICS],
    ).fetchone()
    return sid, owner, LITERAL.search(text).group(0)


def code(reply) -> str:
    blocks = [b.text for b in reply.blocks if b.type == "code"]
    assert blocks, reply.text
    return blocks[-1]


def shared(place: Place) -> Place:
    return place.model_copy(update={"shared": True})


CASES = [
    # (who, where, share flag, full text expected)
    ("owner", "dm", False, True),
    ("owner", "channel", False, False),
    ("owner", "channel", True, False),  # --share is an admin's privilege
    ("other", "dm", False, False),
    ("other", "channel", False, False),
    ("admin", "dm", False, True),
    ("admin", "channel", False, False),  # masked in channels even for admins ...
    ("admin", "channel", True, True),  # ... unless an admin asks with --share
]


# Every case on Slack; on Teams the cases where platform matters least are left out to keep the suite quick.
MATRIX = [(SLACK, *c) for c in CASES] + [(TEAMS, *c) for c in CASES if c[:3] in {
    ("owner", "dm", False), ("other", "dm", False), ("admin", "channel", False), ("admin", "channel", True)}]


@pytest.mark.parametrize(("asker", "who", "where", "share", "full"), MATRIX,
                         ids=[f"{m[0].platform}-{m[1]}-{m[2]}{'-share' if m[3] else ''}" for m in MATRIX])
async def test_query_statement_text(bot, statement, asker, who, where, share, full):
    sid, owner, literal = statement
    email = {"owner": owner, "other": BRUNO, "admin": ADMIN}[who]
    place = asker.dm() if where == "dm" else asker.channel()
    if asker.platform == "teams":  # ana's statements are in analytics; map her Teams tenant there for this test
        place = place.model_copy(update={"team_id": "tenant-analytics"})
    command = f"query {sid} --sql" + (" --share" if share else "")
    reply = await bot.handle(command, person(email, asker.platform), place)
    assert reply.ok, reply.text
    sql = code(reply)
    if full:
        assert literal in sql and "?" not in sql.split(literal)[0][-3:]
    else:
        assert literal not in sql and "?" in sql
        assert literal not in texts(reply)  # nowhere else in the reply either


async def test_slack_shared_slash_answer_counts_as_share(bot, statement):
    """The Slack adapter takes `--share` off a slash command and marks the Place shared instead."""
    sid, _, literal = statement
    place = shared(SLACK.channel())
    admin = await bot.handle(f"query {sid} --sql", person(ADMIN), place)
    assert literal in code(admin)
    other = await bot.handle(f"query {sid} --sql", person(BRUNO), place)
    assert literal not in code(other)


async def test_full_query_reply_masks_for_others(bot, statement):
    sid, owner, literal = statement
    mine = await bot.handle(f"query {sid}", person(owner), SLACK.dm())
    theirs = await bot.handle(f"query {sid}", person(BRUNO), SLACK.dm())
    assert mine.ok and theirs.ok
    assert literal in texts(mine)
    assert literal not in texts(theirs) and "masked" in texts(theirs)


async def test_top_never_shows_literals(bot, raw):
    """`top` shows masked fingerprints to everyone, admins in a DM included."""
    reply = await bot.handle("top --limit 20", person(ADMIN), SLACK.dm())
    assert reply.ok
    (table,) = [b for b in reply.blocks if b.type == "table"]
    for row in table.rows:
        assert not LITERAL.search(row[table.columns.index("query")])


@pytest.fixture
def teams_analytics(make_bot):
    from tests.policy.conftest import WORKSPACE_MAP

    return make_bot(workspace_map=WORKSPACE_MAP + ";teams:tenant-analytics=" + ANALYTICS)


@pytest.fixture
def bot(teams_analytics):  # noqa: F811 - this module's bot also maps a Teams tenant to analytics
    return teams_analytics
