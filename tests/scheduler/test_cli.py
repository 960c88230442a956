"""`qopt digest send` and `qopt alerts check` as an operator runs them: the command-line entry point, the real
Slack notifier, a local fake Slack Web API (on its own thread: the command runs its own event loop). The second
send of a day says so and exits 0; a refused post exits 1 and is kept for a retry."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from qopt.cli import main
from qopt.state import open_state
from qopt.state.records import Records
from tests.slack.fake_slack import FakeSlack, blocks_of


@pytest.fixture
def fake_slack():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = asyncio.run_coroutine_threadsafe(FakeSlack().start(), loop).result(timeout=30)
    yield fake
    asyncio.run_coroutine_threadsafe(fake.close(), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=30)
    loop.close()


@pytest.fixture
def data_dir(tmp_path, monkeypatch, fake_slack, scenario_path) -> Path:
    for name in ("QOPT_STATE_URL", "QOPT_WAREHOUSE", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "QOPT_TEAMS_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QOPT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QOPT_DUCKDB_PATH", str(scenario_path))
    monkeypatch.setenv("QOPT_TIMEZONE", "UTC")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("QOPT_SLACK_API_URL", fake_slack.base_url)
    return tmp_path / "data"


def records_of(data_dir: Path, action):
    async def go():
        store = open_state(str(data_dir / "state.sqlite"))
        try:
            return await action(Records(store))
        finally:
            await store.close()

    return asyncio.run(go())


def test_digest_send_posts_once_a_day(data_dir, fake_slack, capsys):
    argv = ["digest", "send", "--platform", "slack", "--channel", "C42", "--date", "2026-03-10"]
    assert main(argv) == 0
    [post] = fake_slack.of("chat.postMessage")
    assert post.data["channel"] == "C42" and "$180" in post.data["text"]
    assert blocks_of(post)[0]["type"] == "header"
    capsys.readouterr()
    assert main(argv) == 0
    assert "already posted" in capsys.readouterr().out
    assert len(fake_slack.of("chat.postMessage")) == 1


def test_a_refused_digest_exits_1_and_is_recorded(data_dir, fake_slack, capsys):
    fake_slack.fail("chat.postMessage", "not_in_channel")
    assert main(["digest", "send", "--platform", "slack", "--channel", "C7", "--date", "2026-03-10"]) == 1
    err = capsys.readouterr().err
    assert "not_in_channel" in err and "Traceback" not in err
    delivery = records_of(data_dir, lambda r: r.delivery("slack", "C7", "digest", "2026-03-10"))
    assert delivery.status == "failed" and delivery.next_attempt_at is not None
    # The operator fixed the channel and sends again: an explicit send does not wait for the back-off.
    del fake_slack.errors["chat.postMessage"]
    assert main(["digest", "send", "--platform", "slack", "--channel", "C7", "--date", "2026-03-10"]) == 0
    assert [c.data["channel"] for c in fake_slack.of("chat.postMessage")] == ["C7"]
    assert "Posted" in capsys.readouterr().out


def test_digest_send_bad_usage_exits_2(data_dir, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["digest", "send", "--platform", "teams-ish", "--channel", "C1"])
    assert exited.value.code == 2 and "invalid choice" in capsys.readouterr().err
    assert main(["digest", "send", "--platform", "slack", "--channel", " "]) == 2
    assert "--channel" in capsys.readouterr().err
    assert main(["digest"]) == 2
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert main(["digest", "send", "--platform", "slack", "--channel", "C1"]) == 2
    assert "not configured" in capsys.readouterr().err


def test_alerts_check_posts_each_alert_once(data_dir, fake_slack, capsys):
    records_of(data_dir, lambda r: r.add_rule(
        platform="slack", channel_id="C9", team_id=None, metric="daily_cost", op="<", threshold=1,
        scope_kind="workspace", scope_value="nowhere", cooldown_seconds=3600, created_by="U1", created_by_name="Ana",
    ))  # fmt: skip
    assert main(["alerts", "check"]) == 0
    [post] = fake_slack.of("chat.postMessage")
    assert post.data["channel"] == "C9" and "daily_cost &lt; $1.00" in post.data["text"]  # Slack-escaped
    assert "1 alert posted" in capsys.readouterr().err
    assert main(["alerts", "check"]) == 0
    assert "0 alerts posted" in capsys.readouterr().err
    assert len(fake_slack.of("chat.postMessage")) == 1
