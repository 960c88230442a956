"""Golden Adaptive Cards: each skill's reply over the demo warehouse, rendered for Teams.

Each case runs one chat message through the real bot (the shared demo warehouse, its fixed clock `DEMO_NOW`, a
fresh state store), renders
the reply with the Teams renderer, validates it against the Adaptive Card 1.5 rules of `card_schema`, and
compares it with `tests/teams/golden/<case>.json`. Regenerate after an intended change with
`QOPT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/teams/test_golden.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from adapters.teams.cards import MAX_ACTIVITY_BYTES, render_activity
from qopt.app import Bot
from qopt.bot.request import Identity, Place
from qopt.config import Settings
from qopt.state import open_state
from tests.conftest import DEMO_NOW
from tests.teams.card_schema import validate_activity
from tests.teams.harness import card_of, card_texts, message, submit_actions

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("QOPT_UPDATE_GOLDEN") == "1"

# case name -> (skill it covers, chat message); `{statement}` is the costliest statement of the demo data.
CASES: dict[str, tuple[str, str]] = {
    "help": ("help", "help"),
    "help_top": ("help", "help top"),
    "top": ("top", "top --days 7 --limit 5"),
    "top_page_2": ("top", "top --days 7 --limit 5 --page 2"),
    "top_by_duration": ("top", "top --days 14 --by duration --limit 5"),
    "cost_by_warehouse": ("cost", "cost --days 7 --by warehouse"),
    "cost_by_sku": ("cost", "cost --days 7 --by sku"),
    "cost_by_user": ("cost", "cost --days 7 --by user"),
    "query": ("query", "query {statement}"),
    "query_sql": ("query", "query {statement} --sql"),
    "ask": ("ask", "ask which warehouse cost the most last week?"),
    "digest_preview": ("digest", "digest preview"),
    "alert_list": ("alert", "alert list"),
    "audit": ("audit", "audit"),
    "optimize": ("optimize", "optimize SELECT * FROM sales WHERE year(order_date) = 2025"),
    "recommend": ("recommend", "recommend --days 7"),
    "free_text": ("help", "which jobs got slower this week?"),
}


def costliest_statement(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as conn:
        (sid,) = conn.execute(
            "SELECT statement_id FROM query.history ORDER BY total_duration_ms DESC, statement_id LIMIT 1"
        ).fetchone()
    return sid


@pytest.fixture
async def demo_bot(demo_warehouse_path, tmp_path):
    now = DEMO_NOW
    settings = Settings(data_dir=tmp_path, duckdb_path=demo_warehouse_path, state_url=f"sqlite:///{tmp_path / 's.db'}",
                        genie_space_id=None)
    bot = Bot(settings, clock=lambda: now, state=open_state(settings.resolved_state_url, clock=lambda: now))
    yield bot
    await bot.close()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_golden_card(case, demo_bot, demo_warehouse_path):
    skill, text = CASES[case]
    if skill not in demo_bot.router.skills:
        pytest.skip(f"no {skill!r} skill registered yet")
    text = text.format(statement=costliest_statement(demo_warehouse_path))
    user = Identity(user_id="29:1ada", email="ada@example.com", name="Ada Lovelace", aad_object_id="aad-ada")
    place = Place(platform="teams", team_id="tenant", channel_id="a:1personal-ada", thread_id="a:1personal-ada",
                  is_dm=True)
    reply = await demo_bot.handle(text, user, place)
    assert reply.error_id is None, reply.text  # a crash would give an apology, not a card worth keeping
    activity = render_activity(reply)
    assert validate_activity(activity) == []
    assert len(json.dumps(activity, ensure_ascii=False).encode()) <= MAX_ACTIVITY_BYTES
    rendered = json.dumps(activity, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    path = GOLDEN / f"{case}.json"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"no golden for {case}: run with QOPT_UPDATE_GOLDEN=1 and review {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8"), f"card changed: QOPT_UPDATE_GOLDEN=1 to accept ({path})"


async def test_every_registered_skill_renders_a_valid_card(demo_bot):
    """Skills without a golden case yet (added later) still get a valid card for their help and bare command."""
    user = Identity(user_id="29:1ada", email="ada@example.com", aad_object_id="aad-ada")
    place = Place(platform="teams", team_id="tenant", channel_id="19:general@thread.tacv2", is_dm=False)
    names = sorted({s.name for s in demo_bot.router.commands})
    assert {"help", "top", "cost", "query"} <= set(names)
    for name in names:
        for text in (f"help {name}", name):
            reply = await demo_bot.handle(text, user, place)
            assert reply.error_id is None, (text, reply.text)
            assert validate_activity(render_activity(reply)) == [], text


async def test_top_buttons_round_trip_over_http(teams_factory, demo_warehouse_path):
    """`top` in a channel, then its "Details #1" button pressed: the press runs `query <id>` and answers."""
    teams = await teams_factory(warehouse_path=demo_warehouse_path, now=DEMO_NOW)
    await teams.post(message(teams.service_url, "top --days 7 --limit 3", scope="channel", mention=True))
    [top] = teams.connector.messages()
    card = card_of(top)
    assert validate_activity(top.body) == []
    buttons = {a["title"]: a["data"] for a in submit_actions(card)}
    details = buttons["Details #1"]
    assert details["action"] == "query" and details["value"]
    assert "Next page" in buttons and buttons["Next page"]["action"] == "top"

    await teams.post(message(teams.service_url, None, value=details, scope="channel"))
    answer = teams.connector.messages()[-1]
    texts = card_texts(card_of(answer))
    assert any(details["value"] in t for t in texts)  # the statement's own card

    await teams.post(message(teams.service_url, None, value=buttons["Next page"], scope="channel"))
    page = teams.connector.messages()[-1]
    ranks = [row["cells"][0]["items"][0]["text"] for e in card_of(page)["body"] if e["type"] == "Table"
             for row in e["rows"][1:]]
    assert ranks[:1] == ["4"]  # page 2 of a 3-row listing starts at rank 4
