"""`ask` end to end: the real databricks-sdk client against the Genie emulator, through the bot's router."""

from __future__ import annotations

from datetime import datetime, timezone

from qopt.bot import progress
from qopt.bot.reply import Actions, Code, Context, Table, Text
from qopt.bot.request import Identity, Place
from qopt.bot.results import csv_text, full_rows
from tests.genie.emulator import COLUMNS, result_rows

USER = Identity(user_id="U1", email="ana@example.com")


def thread(name: str = "1700000000.000100", *, dm: bool = False, platform: str = "slack") -> Place:
    return Place(platform=platform, team_id="T1", channel_id="C1", thread_id=name, is_dm=dm)


def blocks(reply, kind):
    return [b for b in reply.blocks if isinstance(b, kind)]


def buttons(reply):
    return [b for a in blocks(reply, Actions) for b in a.buttons]


async def test_answer_has_text_typed_table_sql_button_and_progress(make_bot, emulator):
    bot = make_bot()
    seen: list[str] = []
    with progress.reporting(seen.append):
        reply = await bot.handle("ask who spent the most this week?", USER, thread())
    assert reply.ok, reply.text
    assert "Here is the answer to: who spent the most this week?" in blocks(reply, Text)[0].text
    # Progress follows the message status; the running-query line is there.
    assert "Genie is running the query…" in seen
    assert seen.index("Genie is thinking about the question…") < seen.index("Genie is running the query…")

    (table,) = blocks(reply, Table)
    assert table.columns == [c[0] for c in COLUMNS]
    assert len(table.rows) == 20 and table.total_rows == 30  # first rows shown, total count kept
    first = table.rows[0]
    assert first[0] == "user0@example.com"
    assert first[1] == 1000.0 and isinstance(first[1], float)  # DECIMAL
    assert first[2] == 100 and isinstance(first[2], int)  # LONG
    assert first[3] == 12_000_000.0  # DOUBLE in exponent notation
    assert datetime.fromisoformat(first[4]) == datetime(2026, 11, 1, 3, tzinfo=timezone.utc)  # TIMESTAMP
    assert first[5] is False and table.rows[1][5] is True  # BOOLEAN
    every = full_rows(table)
    assert every is not None and len(every) == 30 and every[-1][4] is None  # all rows, nulls kept, for a CSV
    assert csv_text(table).count("\n") == 31
    assert "30 rows, showing the first 20" in " ".join(c.text for c in blocks(reply, Context))
    # The JSON contract is unchanged: the full rows stay out of it.
    assert "all_rows" not in reply.to_json()["blocks"][1]

    # In a channel the SQL sits behind "Show SQL"; pressing it shows the SQL.
    assert not blocks(reply, Code)
    show = next(b for b in buttons(reply) if b.label == "Show SQL")
    fetched = [r for r in emulator.requests if r[1].endswith("/query-result")]
    shown = await bot.handle(f"{show.action} {show.value}", USER, thread())
    assert [r for r in emulator.requests if r[1].endswith("/query-result")] == fetched  # the SQL only, no re-fetch
    assert shown.ok and "FROM qopt.genie_cost_attribution" in blocks(shown, Code)[0].text


async def test_in_a_dm_the_sql_is_shown_directly(make_bot):
    reply = await make_bot().handle("ask who spent the most?", USER, thread(dm=True))
    assert reply.ok
    assert "SELECT executed_by" in blocks(reply, Code)[0].text
    assert "Show SQL" not in [b.label for b in buttons(reply)]


async def test_follow_up_stays_in_the_thread_conversation(make_bot, emulator):
    bot = make_bot()
    first = await bot.handle("ask who spent the most?", USER, thread("t1"))
    second = await bot.handle("ask and last month?", USER, thread("t1"))
    other = await bot.handle("ask which warehouse?", USER, thread("t2"))
    assert first.ok and second.ok and other.ok
    assert len(emulator.conversations) == 2
    conv_t1 = [c for c, ids in emulator.conversations.items() if len(ids) == 2][0]
    assert [emulator.messages[m].content for m in emulator.conversations[conv_t1]] == [
        "who spent the most?", "and last month?"]
    assert f"(message 2 of conversation {conv_t1})" in blocks(second, Text)[0].text


async def test_free_text_goes_to_genie(make_bot, emulator):
    reply = await make_bot().handle("which users cost the most money?", USER, thread())
    assert reply.ok
    assert [q[2] for q in emulator.questions] == ["which users cost the most money?"]


async def test_follow_up_survives_a_restart(make_bot, emulator):
    place = thread("restart-thread")
    first_bot = make_bot()
    assert (await first_bot.handle("ask who spent the most?", USER, place)).ok
    await first_bot.close()
    second_bot = make_bot()  # a new process: same state file, fresh memory
    reply = await second_bot.handle("ask only for warehouse wh1", USER, place)
    assert reply.ok
    assert len(emulator.conversations) == 1
    (ids,) = emulator.conversations.values()
    assert [emulator.messages[m].content for m in ids] == ["who spent the most?", "only for warehouse wh1"]


async def test_suggested_questions_are_buttons_that_follow_up(make_bot, emulator):
    bot = make_bot()
    reply = await bot.handle("ask who spent the most?", USER, thread("s"))
    suggested = [b for b in buttons(reply) if b.action == "ask"]
    assert [b.value for b in suggested] == ["Which warehouses cost the most?", "Show spend by day"]
    pressed = await bot.handle(f"{suggested[0].action} {suggested[0].value}", USER, thread("s"))
    assert pressed.ok
    (ids,) = emulator.conversations.values()
    assert emulator.messages[ids[1]].content == "Which warehouses cost the most?"


async def test_thumbs_reach_genie_as_feedback(make_bot, emulator):
    bot = make_bot()
    reply = await bot.handle("ask who spent the most?", USER, thread())
    up = next(b for b in buttons(reply) if b.label.startswith("👍"))
    down = next(b for b in buttons(reply) if b.label.startswith("👎"))
    (message,) = emulator.messages.values()
    assert (await bot.handle(f"{up.action} {up.value}", USER, thread())).ok
    assert message.feedback == "POSITIVE"
    thanks = await bot.handle(f"{down.action} {down.value}", USER, thread())
    assert thanks.ok and "👎" in thanks.text
    assert message.feedback == "NEGATIVE"


async def test_failed_and_cancelled_messages_are_explained(make_bot):
    bot = make_bot()
    failed = await bot.handle("ask why does this fail", USER, thread("f"))
    assert not failed.ok and "Traceback" not in failed.text
    assert "could not be answered from the available tables" in failed.text
    cancelled = await bot.handle("ask please cancel me", USER, thread("c"))
    assert not cancelled.ok and "cancelled" in cancelled.text.lower()


async def test_expired_result_is_executed_again(make_bot, emulator):
    seen: list[str] = []
    with progress.reporting(seen.append):
        reply = await make_bot().handle("ask the expired one", USER, thread())
    assert reply.ok, reply.text
    (message,) = emulator.messages.values()
    assert message.executed  # execute-query was called
    assert ("POST", f"/api/2.0/genie/spaces/space1/conversations/{message.conversation_id}/messages/"
            f"{message.message_id}/attachments/{message.message_id}-q/execute-query") in emulator.requests
    (table,) = blocks(reply, Table)
    assert table.total_rows == 30 and table.rows[0][0] == "user0@example.com"
    assert any("expired" in s for s in seen)


async def test_timeout_gives_up_with_a_clear_message(make_bot, fake_time):
    bot = make_bot(genie_timeout_seconds=60)
    start = fake_time.now
    reply = await bot.handle("ask run forever", USER, thread())
    assert not reply.ok and "did not answer within 1 min 0 s" in reply.text
    assert fake_time.now - start >= 60
    assert fake_time.slept and all(1 <= s <= 5 for s in fake_time.slept[:-1])  # 1–5 s backoff
    assert fake_time.slept[:3] == [1.0, 1.5, 2.25]


async def test_space_aliases(make_bot, emulator):
    bot = make_bot(genie_spaces="costs=space1,perf=space2")
    reply = await bot.handle("ask @perf slowest queries?", USER, thread())
    assert reply.ok
    (message,) = emulator.messages.values()
    assert message.space_id == "space2" and message.content == "slowest queries?"
    assert any(b.value == "@perf Which warehouses cost the most?" for b in buttons(reply))
    unknown = await bot.handle("ask @nope hello there", USER, thread())
    assert not unknown.ok and "@costs" in unknown.text and "@perf" in unknown.text


async def test_a_vanished_conversation_starts_a_new_one(make_bot, emulator):
    bot = make_bot()
    place = thread("gone")
    await bot.services.state.kv_put("genie.threads", f"slack|T1|C1|gone|space1", {"conversation_id": "c9999"})
    reply = await bot.handle("ask who spent the most?", USER, place)
    assert reply.ok
    assert "started a new one" in blocks(reply, Context)[0].text
    again = await bot.handle("ask and yesterday?", USER, place)
    assert again.ok and len(emulator.conversations) == 1


async def test_text_only_answer_and_genie_new(make_bot, emulator):
    bot = make_bot()
    reply = await bot.handle("ask notable things", USER, thread("n"))
    assert reply.ok and not blocks(reply, Table) and "Show SQL" not in [b.label for b in buttons(reply)]
    fresh = await bot.handle("genie new", USER, thread("n"))
    assert fresh.ok
    await bot.handle("ask who spent the most?", USER, thread("n"))
    assert len(emulator.conversations) == 2


async def test_list_spaces_and_bad_credentials(make_bot):
    bot = make_bot(genie_spaces="costs=space1")
    spaces = await bot.handle("genie spaces", USER, thread())
    (table,) = blocks(spaces, Table)
    assert table.rows == [["Costs", "space1", "@costs, default"], ["Performance", "space2", ""]]
    wrong = make_bot(databricks_token="wrong-token")
    reply = await wrong.handle("ask who spent the most?", USER, thread())
    assert not reply.ok and "credentials" in reply.text and "wrong-token" not in reply.text


async def test_the_shell_session_is_one_thread_and_new_starts_another(make_bot, emulator):
    import io

    from adapters.terminal import run_shell

    bot = make_bot()
    stdin = io.StringIO("ask who spent the most?\nand by warehouse?\nnew\nask which users?\n")
    stdout = io.StringIO()
    await run_shell(bot.handle, identity=USER, stdin=stdin, stdout=stdout)
    conversations = sorted(([emulator.messages[m].content for m in ids] for ids in emulator.conversations.values()),
                           key=len)
    assert conversations == [["which users?"], ["who spent the most?", "and by warehouse?"]]
    assert "Started a new thread." in stdout.getvalue()
    assert stdout.getvalue().count("Here is the answer to:") == 3



async def test_qopt_shell_shows_genie_progress_on_stderr(make_bot, monkeypatch, capsys):
    import io

    from qopt.app import shell

    monkeypatch.setattr("sys.stdin", io.StringIO("ask who spent the most?\n"))
    await shell(make_bot(), "ana@example.com")
    out = capsys.readouterr()
    assert "Genie is running the query…" in out.err and "Genie is running" not in out.out
    assert "Here is the answer to: who spent the most?" in out.out


async def test_two_quick_questions_in_one_thread_share_the_conversation(make_bot, emulator):
    import asyncio

    bot = make_bot()
    first, second = await asyncio.gather(
        bot.handle("ask who spent the most?", USER, thread("quick")),
        bot.handle("ask and yesterday?", USER, thread("quick")),
    )
    assert first.ok and second.ok
    (ids,) = emulator.conversations.values()
    assert [emulator.messages[m].content for m in ids] == ["who spent the most?", "and yesterday?"]
