"""Block Kit rendering: every limit of chat-platforms.md holds for any reply, and the mapping of each block."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.blocks import parse_action_id, render_message
from adapters.slack.incoming import plain_text, split_share
from adapters.slack.markup import to_mrkdwn
from qopt.bot.reply import Actions, Button, Code, Context, Field_, Fields, Header, Image, Reply, Table, Text


def check_limits(message: dict[str, Any], max_blocks: int = 50) -> None:
    """Assert Slack's documented limits on one rendered message."""
    assert message["text"].strip()
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= max_blocks
    tables = [b for b in blocks if b["type"] == "table"]
    assert len(tables) <= 1
    action_ids: list[str] = []
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    for b in blocks:
        if b["type"] == "header":
            assert 1 <= len(b["text"]["text"]) <= 150 and b["text"]["type"] == "plain_text"
        elif b["type"] == "section":
            if "text" in b:
                assert 1 <= len(b["text"]["text"]) <= 3000
            if "fields" in b:
                assert 1 <= len(b["fields"]) <= 10
                assert all(len(f["text"]) <= 2000 for f in b["fields"])
        elif b["type"] == "context":
            assert 1 <= len(b["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in b["elements"])
        elif b["type"] == "actions":
            assert 1 <= len(b["elements"]) <= 25
            for e in b["elements"]:
                assert len(e["text"]["text"]) <= 75 and len(e["action_id"]) <= 255
                assert len(e.get("value", "")) <= 2000
                action_ids.append(e["action_id"])
        elif b["type"] == "table":
            assert 2 <= len(b["rows"]) <= 100
            assert all(1 <= len(r) <= 20 for r in b["rows"])
            assert len({len(r) for r in b["rows"]}) == 1
        elif b["type"] == "image":
            assert len(b["image_url"]) <= 3000 and len(b["alt_text"]) <= 2000
        else:
            raise AssertionError(f"unexpected block {b['type']}")
    assert len(action_ids) == len(set(action_ids))


scalars = st.one_of(st.none(), st.integers(-10**9, 10**9), st.floats(allow_nan=False, allow_infinity=False, width=32),
                    st.text(max_size=80), st.booleans())
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=7000)


@st.composite
def tables(draw: Any) -> Table:
    columns = draw(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=24))
    rows = draw(st.lists(st.lists(scalars, min_size=len(columns), max_size=len(columns)), max_size=130))
    return Table(columns=columns, rows=rows, total_rows=draw(st.one_of(st.none(), st.integers(0, 10**6))))


blocks = st.one_of(
    st.builds(Header, text=st.text(max_size=400)),
    st.builds(Text, text=texts),
    st.builds(Fields, fields=st.lists(st.builds(Field_, label=st.text(max_size=300), value=scalars), max_size=25)),
    tables(),
    st.builds(Code, text=texts),
    st.builds(Context, text=st.text(max_size=4000)),
    st.builds(Actions, buttons=st.lists(st.builds(Button, label=st.text(max_size=120),
                                                  action=st.sampled_from(["top", "query", "optimize"]),
                                                  value=st.text(max_size=2500)), min_size=1, max_size=40)),
    st.builds(Image, url=st.just("https://example.com/chart.png"), alt=st.text(max_size=2500)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(st.lists(blocks, max_size=70), st.text(max_size=5000), st.booleans())
def test_any_reply_respects_every_limit(reply_blocks, text, ok):
    check_limits(render_message(Reply(text=text, blocks=reply_blocks, ok=ok), source="top"))


def test_large_table_becomes_one_table_block_with_and_n_more():
    rows = [[f"fp{i:04d}", i, i * 1.5] for i in range(250)]
    reply = Reply(text="big", blocks=[Table(columns=["fingerprint", "runs", "cost_usd"], rows=rows, units={"cost_usd": "usd"}),
                                      Table(columns=["a"], rows=[[1], [2]])])
    message = render_message(reply)
    check_limits(message)
    table = message["blocks"][0]
    assert table["type"] == "table" and len(table["rows"]) == 100
    assert table["rows"][1][2] == {"type": "raw_text", "text": "$0.00"} and table["rows"][99][0]["text"] == "fp0098"
    assert table["column_settings"][1] == {"align": "right"}
    assert message["blocks"][1]["elements"][0]["text"] == "…and 151 more"
    # The second table of a message is preformatted text.
    assert message["blocks"][2]["text"]["text"].startswith("```a\n-")


def test_too_many_blocks_are_cut_with_a_notice_but_buttons_stay():
    reply = Reply(text="long", blocks=[Text(text=f"line {i}") for i in range(80)] + [Actions(buttons=[Button(label="Next page", action="top", value="--page 2")])])
    message = render_message(reply, source="top")
    check_limits(message)
    assert message["blocks"][-1]["type"] == "actions"
    assert message["blocks"][-2]["elements"][0]["text"].startswith("…and 32 more blocks")
    assert parse_action_id(message["blocks"][-1]["elements"][0]["action_id"]) == "top"


def test_each_block_type_maps_to_block_kit():
    reply = Reply(text="Top *2* <ok>", blocks=[
        Header(text="Top statements"),
        Text(text="Spend *rose* by 5% & more — see [docs](https://example.com/a?b=1&c=2)"),
        Fields(fields=[Field_(label=f"f{i}", value=i * 10.0, unit="usd") for i in range(12)]),
        Code(text="SELECT a FROM t WHERE x < 3"),
        Context(text="Costs are estimates."),
        Image(url="https://example.com/c.png", alt="chart"),
    ], ok=False)
    message = render_message(reply)
    check_limits(message)
    assert message["text"] == "⚠️ Top 2 &lt;ok&gt;"
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["header", "section", "section", "section", "section", "context", "image"]
    assert message["blocks"][1]["text"]["text"] == (
        ":warning: Spend *rose* by 5% &amp; more — see <https://example.com/a?b=1&amp;c=2|docs>")
    assert len(message["blocks"][2]["fields"]) == 10 and len(message["blocks"][3]["fields"]) == 2
    assert message["blocks"][2]["fields"][1]["text"] == "*f1*\n$10.00"
    assert message["blocks"][4]["text"]["text"] == "```SELECT a FROM t WHERE x &lt; 3```"


def test_markup_and_incoming_text():
    assert to_mrkdwn("**bold** _it_ `a<b`") == "*bold* _it_ `a&lt;b`"
    assert plain_text("<@UBOT0001> top --user <mailto:ana@example.com|ana@example.com> &lt;3") == "top --user ana@example.com <3"
    assert plain_text("optimize ```SELECT 1```") == "optimize \nSELECT 1"
    assert split_share("top --share --days 3") == ("top --days 3", True)
    assert split_share("top --days 3") == ("top --days 3", False)


def test_manifest_matches_what_the_app_listens_to():
    from pathlib import Path

    import yaml

    from adapters.slack.app import BOT_SCOPES, COMMAND

    manifest = yaml.safe_load((Path(__file__).parents[2] / "adapters" / "slack" / "manifest.yaml").read_text())
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [COMMAND]
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"app_home_opened", "app_mention", "message.im"}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    urls = [manifest["settings"]["event_subscriptions"]["request_url"], manifest["settings"]["interactivity"]["request_url"],
            manifest["features"]["slash_commands"][0]["url"]]
    assert all(u.endswith("/slack/events") for u in urls)


def test_mode_follows_the_settings(tmp_path):
    from adapters.slack.app import slack_mode
    from tests.slack.conftest import slack_settings

    def mode(**kw):
        return slack_mode(slack_settings(tmp_path, "http://127.0.0.1:1/api/", **kw))[0]

    assert mode() == "http"
    assert mode(slack_app_token="xapp-1", slack_signing_secret=None) == "socket"
    assert mode(slack_bot_token=None, slack_client_id="1.2", slack_client_secret="s") == "oauth"
    assert mode(slack_signing_secret=None) == "off"
    assert mode(slack_bot_token=None) == "off"
    off = slack_mode(slack_settings(tmp_path, "", slack_bot_token=None, slack_signing_secret=None))
    assert off == ("off", "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set")


def test_home_tables_keep_their_key_columns():
    from adapters.slack.home import compact

    table = Table(columns=["rank", "fingerprint", "query", "runs", "cost_usd", "p95_duration_ms", "warehouse"],
                  rows=[[1, "abc", "SELECT 1", 3, 2.5, 100, "wh"]], units={"cost_usd": "usd", "p95_duration_ms": "ms"})
    small = compact(table)
    assert small.columns == ["rank", "fingerprint", "query", "runs", "cost_usd"]
    assert small.rows == [[1, "abc", "SELECT 1", 3, 2.5]] and small.units == {"cost_usd": "usd"}
    other = Table(columns=["a", "b"], rows=[[1, 2]])
    assert compact(other) is other


def test_tiny_budgets_still_hold():
    from adapters.slack.blocks import render_blocks

    reply = Reply(text="t", blocks=[Text(text="a"), Text(text="b"), Actions(buttons=[Button(label="x", action="top")]),
                                    Actions(buttons=[Button(label="y", action="top")])])
    kinds = {budget: [b["type"] for b in render_blocks(reply, max_blocks=budget)] for budget in (1, 2, 3, 4)}
    assert kinds == {1: ["context"], 2: ["context", "actions"], 3: ["context", "actions", "actions"],
                     4: ["section", "section", "actions", "actions"]}
