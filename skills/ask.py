"""`ask <question>`: questions in people's own words, answered by Genie (or offline by qopt's own commands).

Free text that is not a command also lands here (the router's `question_command`). Each chat thread is one Genie
conversation, so the next question in the thread is a follow-up. `ask @costs ...` picks an aliased space.
"""

from __future__ import annotations

from typing import Any

from qopt import policy
from qopt.bot import progress
from qopt.bot.reply import Actions, Button, Code, Context, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.results import ResultTable
from qopt.bot.skill import Services, Skill
from qopt.errors import UsageError
from qopt.genie.base import GenieAnswer
from qopt.genie.offline import EXAMPLES, HOW_TO_CONNECT, candidates, failing, latest_run, plan
from qopt.genie.spaces import SpaceDirectory
from qopt.genie.threads import ConversationMap
from qopt.warehouse.types import to_scalar
from qopt.workload import Window

BUTTON_LABEL = 75  # Slack's limit for a button's text
MAX_SUGGESTIONS = 3


def conversations(services: Services) -> ConversationMap:
    """The thread → conversation map, shared by every request of this bot."""
    found = services.extras.get("genie.threads")
    if found is None or found.state is not services.state:
        found = services.extras["genie.threads"] = ConversationMap(services.state)
    return found


class AskSkill(Skill):
    name = "ask"
    summary = "Ask a question in your own words; Genie answers (follow-ups in the same thread continue it)."
    examples = ("ask who spent the most this week?", "ask @costs spend by warehouse for the last 30 days")
    positional = "[@space] <question>"
    raw_text = True

    async def run(self, request: Request, services: Services) -> Reply:
        question = request.rest.strip()
        if not question:
            raise UsageError("Ask a question, e.g. `ask which users spent the most this week?`")
        if services.genie is None:
            return await offline_answer(question, request, services)
        access = policy.access(request, services.settings)
        access.require_mapped()
        if access.restricted:  # a Genie space sees every workspace it was given: not only the asker's
            raise policy.AccessDenied(
                f"Genie answers over every workspace's data, and {access.describe_workspaces()} from here: "
                "use the commands (`top`, `cost`, `query`), which show only your workspaces.")
        directory = SpaceDirectory.from_settings(services.settings)
        space_id, alias, question = directory.resolve(question)
        if not question:
            raise UsageError(f"Ask a question after @{alias}, e.g. `ask @{alias} which warehouse cost the most?`")
        threads = conversations(services)
        async with threads.turn(request.place, space_id):
            conversation_id = await threads.get(request.place, space_id)
            answer = await services.genie.ask(
                space_id, question, conversation_id=conversation_id, progress=progress.report)
            await threads.put(request.place, space_id, answer.conversation_id)
        return answer_reply(answer, alias=alias, in_dm=access.sql_visible, table_rows=services.settings.genie_table_rows)


def answer_reply(answer: GenieAnswer, *, alias: str | None, in_dm: bool, table_rows: int) -> Reply:
    """Genie's answer as a platform-neutral reply: text, table, SQL, suggestions, feedback buttons."""
    blocks: list[Any] = []
    if answer.restarted:
        blocks.append(Context(text="The Genie conversation of this thread had ended; this question started a new one."))
    text = answer.text or ("Genie answered with a query result." if answer.has_table else "Genie had nothing to add.")
    blocks.append(Text(text=text))
    summary = text
    if answer.has_table:
        every = [[to_scalar(v) for v in row] for row in answer.rows]
        total = answer.total_rows if answer.total_rows is not None else len(every)
        blocks.append(
            ResultTable(
                columns=answer.columns, rows=every[:table_rows], total_rows=total, title=answer.sql_title,
                all_rows=every, filename=f"genie-{answer.message_id}.csv",
            )
        )
        shown = min(len(every), table_rows)
        note = f"{total:,} row{'s' if total != 1 else ''}" + (f", showing the first {shown}" if total > shown else "")
        if answer.truncated:
            note += f"; Genie returned {len(every):,} of them"
        blocks.append(Context(text=note + "."))
        summary += f" ({note})"
    if answer.sql and in_dm:
        blocks.append(Code(text=answer.sql.strip(), language="sql"))
    buttons = [
        Button(label=_label(q), action="ask", value=(f"@{alias} " if alias else "") + q)
        for q in answer.suggested_questions[:MAX_SUGGESTIONS]
    ]
    if buttons:
        blocks.append(Text(text="*Follow-up questions*"))
        blocks.append(Actions(buttons=buttons))
    tools = [] if (not answer.sql or in_dm) else [Button(label="Show SQL", action="genie", value=f"sql {answer.ref}")]
    tools += [
        Button(label="👍 Helpful", action="genie", value=f"feedback positive {answer.ref}"),
        Button(label="👎 Not helpful", action="genie", value=f"feedback negative {answer.ref}"),
    ]
    blocks.append(Actions(buttons=tools))
    where = f"Genie space @{alias}" if alias else "Genie"
    waited = f" It waited in line (number {answer.queued_behind}) for Genie's rate limit." if answer.queued_behind else ""
    blocks.append(Context(text=f"Answered by {where}. Reply in this thread to ask a follow-up.{waited}"))
    return Reply(text=summary, blocks=blocks)


def _label(question: str) -> str:
    return question if len(question) <= BUTTON_LABEL else question[: BUTTON_LABEL - 1] + "…"


async def offline_answer(question: str, request: Request, services: Services) -> Reply:
    """No Genie space: answer common questions with qopt's own commands, and say so plainly."""
    router = services.extras.get("router")
    found = plan(question)
    if found is not None and found.builtin == "failing":
        return await _failing(found.days or 7, found.limit or 10, services)
    if found is not None and found.builtin == "fingerprint" and found.subject:
        days = found.days or 30
        statement_id = await latest_run(services.warehouse, Window.last_days(services.clock(), days), found.subject)
        if statement_id is None:
            return Reply.message(f"No recurring query with fingerprint `{found.subject}` ran in the last {days} days "
                                 f"(try `top --days {min(days * 3, 365)}`).")
        found.commands = [f"query {statement_id}"]
    if found is not None and router is not None:
        for command in candidates(found):
            try:
                router.parse(command, user=request.user, place=request.place)
            except UsageError:
                continue  # that command or option does not exist (here): try the next candidate
            reply = await router.handle(command, user=request.user, place=request.place)
            if not reply.ok:
                return reply
            notice = (
                f"Offline answer (no Genie space is configured): this shows {found.meaning}, "
                f"from `{command}` over the configured warehouse."
            )
            reply.blocks.insert(0, Context(text=notice))
            reply.blocks.append(Context(text=HOW_TO_CONNECT))
            reply.text = f"{notice} {reply.text}"
            return reply
    text = (
        "Genie is not connected, so I can only answer common questions offline — for example: "
        + "; ".join(f"`{e}`" for e in EXAMPLES)
        + ". Or use a command (`help`)."
    )
    return Reply(text=text, blocks=[Text(text=text), Context(text=HOW_TO_CONNECT)])


async def _failing(days: int, limit: int, services: Services) -> Reply:
    window = Window.last_days(services.clock(), days)
    result = await failing(services.warehouse, window, limit)
    notice = (f"Offline answer (no Genie space is configured): failed statements by user, warehouse and type, "
              f"last {days} day{'s' if days != 1 else ''}, from system.query.history.")
    rows = [[to_scalar(v) for v in row] for row in result.rows]
    total = sum(int(r[3]) for r in rows)
    blocks: list[Any] = [Context(text=notice)]
    if rows:
        blocks.append(Table(columns=result.columns, rows=rows, units={"failures": "count"}))
        text = f"{notice} Top {len(rows)} groups, {total:,} failures."
    else:
        blocks.append(Text(text="No statement failed in that window."))
        text = f"{notice} No statement failed in that window."
    blocks.append(Context(text=HOW_TO_CONNECT))
    return Reply(text=text, blocks=blocks)
