"""The Adaptive Card renderer: every block, the size budget, and the 1.5 schema's required fields."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.teams.cards import MAX_ACTIVITY_BYTES, render_activity, render_card, to_markdown, working_activity
from qopt.bot.reply import Actions, Button, Code, Context, Field_, Fields, Header, Image, Reply, Table, Text
from tests.teams.card_schema import validate_activity, validate_card
from tests.teams.harness import card_texts, submit_actions


def every_block() -> Reply:
    return Reply(text="Top statements: *3* found", blocks=[
        Header(text="Top statements"),
        Text(text="The *most expensive* SQL of the _last 7 days_."),
        Fields(fields=[Field_(label="Cost", value=1234.567, unit="usd"), Field_(label="Runs", value=42, unit="count"),
                       Field_(label="Duration", value=95_000, unit="ms"), Field_(label="Read", value=3 * 1024**3,
                                                                                 unit="bytes")]),
        Table(title="By fingerprint", columns=["fingerprint", "runs", "cost_usd"],
              rows=[["a1b2", 10, 12.5], ["c3d4", 3, None]], units={"cost_usd": "usd"}),
        Code(text="SELECT *\nFROM sales\nWHERE day >= :start"),
        Context(text="Costs are attributed by task time."),
        Image(url="https://example.com/chart.png", alt="cost chart"),
        Actions(buttons=[Button(label="Optimize", action="optimize", value="abc", style="primary"),
                         Button(label="*Details*", action="query", value="abc"),
                         Button(label="Drop", action="alert", value="delete 1", style="danger")]),
    ])


def test_every_block_renders_to_a_valid_card():
    activity = render_activity(every_block())
    assert validate_activity(activity) == []
    card = activity["attachments"][0]["content"]
    assert card["version"] == "1.5" and card["fallbackText"] == "Top statements: 3 found"
    texts = card_texts(card)
    assert texts[0] == "Top statements"
    assert "The **most expensive** SQL of the _last 7 days_." in texts
    assert "Cost: $1,235" in texts and "Runs: 42" in texts and "Duration: 1 min 35 s" in texts
    assert "Read: 3.0 GiB" in texts
    # Table: header row then the rows, money formatted, None as a dash, numbers right-aligned.
    [table] = [e for e in card["body"] if e["type"] == "Table"]
    rows = [[c["items"][0]["text"] for c in r["cells"]] for r in table["rows"]]
    assert rows == [["fingerprint", "runs", "cost_usd"], ["a1b2", "10", "$12.50"], ["c3d4", "3", "–"]]
    assert table["firstRowAsHeader"] is True
    assert [c.get("horizontalCellContentAlignment") for c in table["columns"]] == [None, "Right", "Right"]
    # SQL: monospace, verbatim (no Markdown conversion of `*`).
    [code] = [e for e in card["body"] if e["type"] == "Container"]
    assert code["items"][0] == {"type": "TextBlock", "text": "SELECT *\nFROM sales\nWHERE day >= :start",
                                "fontType": "Monospace", "wrap": True}
    # Buttons: Action.Submit carrying {action, value}.
    actions = submit_actions(card)
    assert [a["data"] for a in actions] == [{"action": "optimize", "value": "abc"}, {"action": "query", "value": "abc"},
                                            {"action": "alert", "value": "delete 1"}]
    assert [a.get("style") for a in actions] == ["positive", None, "destructive"]
    assert actions[1]["title"] == "Details"


def test_error_replies_are_marked():
    card = render_card(Reply.message("Sorry (error id `ab12cd34`).", ok=False))
    assert card["body"][0]["color"] == "Attention"
    assert validate_card(card) == []


def test_reply_without_blocks_still_has_a_body():
    card = render_card(Reply(text="just text"))
    assert card_texts(card) == ["just text"]


@pytest.mark.parametrize("source, expected", [
    ("*bold* and _it_", "**bold** and _it_"),
    ("SELECT * FROM t", "SELECT * FROM t"),
    ("2 * 3 * 4", "2 * 3 * 4"),
    ("**already**", "**already**"),
    ("a *b c* d", "a **b c** d"),
    ("`*` reads every column of `sales` and *that* costs", "`*` reads every column of `sales` and **that** costs"),
    ("`SELECT *` then *x*", "`SELECT *` then **x**"),
])
def test_markup(source, expected):
    assert to_markdown(source) == expected


def test_big_tables_are_trimmed_under_80_kb_with_a_count():
    rows = [[f"{i:016x}" * 4, i, i * 1.25] for i in range(5000)]
    reply = Reply(text="big", blocks=[Table(columns=["fingerprint", "runs", "cost_usd"], rows=rows,
                                            units={"cost_usd": "usd"})])
    activity = render_activity(reply)
    size = len(json.dumps(activity, ensure_ascii=False).encode())
    assert size <= MAX_ACTIVITY_BYTES
    card = activity["attachments"][0]["content"]
    [table] = [e for e in card["body"] if e["type"] == "Table"]
    shown = len(table["rows"]) - 1
    assert 1 <= shown < 5000
    assert f"…and {5000 - shown:,} more" in card_texts(card)
    assert validate_card(card) == []


def test_total_rows_beyond_the_page_are_counted():
    reply = Reply(text="page", blocks=[Table(columns=["a"], rows=[["x"], ["y"]], total_rows=25)])
    assert "…and 23 more" in card_texts(render_card(reply))


def test_huge_sql_is_clipped_to_fit():
    reply = Reply(text="sql", blocks=[Code(text="SELECT " + ", ".join(f"col_{i}" for i in range(40_000)))])
    activity = render_activity(reply)
    assert len(json.dumps(activity).encode()) <= MAX_ACTIVITY_BYTES
    [code] = [e for e in activity["attachments"][0]["content"]["body"] if e["type"] == "Container"]
    assert code["items"][0]["text"].startswith("SELECT col_0, col_1") and code["items"][0]["text"].endswith("…")


def test_working_card_is_valid():
    activity = working_activity("top --days 7")
    assert validate_activity(activity) == []
    assert "top --days 7" in card_texts(activity["attachments"][0]["content"])[0]


def test_validator_catches_what_it_should():
    """The validator must be able to fail: missing required fields, unknown properties, bad enums, ragged rows."""
    card = render_card(every_block())
    broken = json.loads(json.dumps(card))
    broken["version"] = "1.6"
    broken["body"][0].pop("text")
    broken["body"][1]["colour"] = "Attention"
    broken["body"][1]["size"] = "Huge"
    table = next(e for e in broken["body"] if e["type"] == "Table")
    table["rows"][1]["cells"].pop()
    next(e for e in broken["body"] if e["type"] == "FactSet")["facts"][0].pop("value")
    problems = validate_card(broken)
    joined = "\n".join(problems)
    for expected in ("version must be 1.5", "required property 'text'", "unknown property 'colour'",
                     "'Huge' not one of", "2 cells for 3 columns", "required property 'value'"):
        assert expected in joined, expected


cells = st.one_of(st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False,
                                                                        width=32), st.text(max_size=400))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.text(min_size=1, max_size=300),
    rows=st.lists(st.lists(cells, min_size=3, max_size=3), max_size=300),
    code=st.text(max_size=3000),
    labels=st.lists(st.text(min_size=1, max_size=100), max_size=8),
)
def test_any_reply_renders_valid_and_under_the_limit(header, rows, code, labels):
    reply = Reply(text=header, blocks=[
        Header(text=header), Table(columns=["a", "b", "c"], rows=rows), Code(text=code or "x"),
        Actions(buttons=[Button(label=label, action="top", value=str(i)) for i, label in enumerate(labels)]),
    ])
    activity = render_activity(reply)
    assert validate_activity(activity) == []
    assert len(json.dumps(activity, ensure_ascii=False).encode()) <= MAX_ACTIVITY_BYTES
