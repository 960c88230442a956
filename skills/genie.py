"""`genie`: what the buttons under a Genie answer do, and Genie housekeeping.

- `genie sql <ref>`: the SQL Genie generated for an answer ("Show SQL").
- `genie feedback positive|negative <ref>`: 👍/👎, sent to Genie as feedback on that message.
- `genie new`: the next question in this thread starts a fresh Genie conversation.
- `genie spaces`: the Genie spaces qopt can use, with their aliases.
"""

from __future__ import annotations

from qopt import policy
from qopt.bot.reply import Code, Context, Header, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from qopt.errors import UsageError
from qopt.genie.base import parse_ref
from qopt.genie.offline import HOW_TO_CONNECT
from qopt.genie.spaces import SpaceDirectory
from skills.ask import conversations

USAGE = "genie sql <ref> | genie feedback positive|negative <ref> | genie new | genie spaces"
RATINGS = {"positive": "positive", "up": "positive", "+1": "positive", "👍": "positive",
           "negative": "negative", "down": "negative", "-1": "negative", "👎": "negative"}


class GenieSkill(Skill):
    name = "genie"
    summary = "Genie tools: show an answer's SQL, send 👍/👎 feedback, start a fresh conversation, list spaces."
    examples = ("genie spaces", "genie new")
    positional = "sql|feedback|new|spaces [...]"

    async def run(self, request: Request, services: Services) -> Reply:
        words = request.positionals
        action = words[0].lower() if words else ""
        if action == "new":
            return await _new(request, services)
        if services.genie is None:
            return Reply.message(f"Genie is not connected. {HOW_TO_CONNECT}", ok=False)
        if action == "spaces":
            return await _spaces(services)
        if action == "sql" and len(words) == 2:
            space_id, conversation_id, message_id = _ref(words[1])
            answer = await services.genie.answer(space_id, conversation_id, message_id, with_result=False)
            if not answer.sql:
                return Reply.message("Genie answered that one without a query.")
            title = answer.sql_title or "The SQL Genie ran"
            if policy.access(request, services.settings).sql_visible:
                return Reply(text=f"{title}: {answer.sql}", blocks=[Text(text=f"*{title}*"), Code(text=answer.sql.strip())])
            from qopt.recommend.fingerprint import fingerprint

            masked = fingerprint(answer.sql).masked  # outside a DM SQL is masked (qopt.policy)
            return Reply(text=f"{title} (masked): {masked}", blocks=[
                Text(text=f"*{title}*"), Code(text=masked),
                Context(text="Literals are shown as ?; the full SQL is shown in a direct message with me.")])
        if action == "feedback" and len(words) == 3 and words[1].lower() in RATINGS:
            rating = RATINGS[words[1].lower()]
            space_id, conversation_id, message_id = _ref(words[2])
            await services.genie.feedback(space_id, conversation_id, message_id, rating)  # type: ignore[arg-type]
            thumb = "👍" if rating == "positive" else "👎"
            return Reply.message(f"Thanks — your {thumb} was sent to Genie; it helps the space's authors improve it.")
        raise UsageError(f"Usage: {USAGE}")


def _ref(text: str) -> tuple[str, str, str]:
    try:
        return parse_ref(text)
    except ValueError:
        raise UsageError("That is not a Genie answer reference (use the buttons under a Genie answer).") from None


async def _new(request: Request, services: Services) -> Reply:
    directory = SpaceDirectory.from_settings(services.settings)
    threads = conversations(services)
    for space_id in {directory.default, *directory.aliases.values()} - {None}:
        await threads.forget(request.place, space_id)  # type: ignore[arg-type]
    if not request.place.thread_id:
        return Reply.message("Outside a thread every question starts a new Genie conversation anyway.")
    return Reply.message("Done: the next question in this thread starts a new Genie conversation.")


async def _spaces(services: Services) -> Reply:
    directory = SpaceDirectory.from_settings(services.settings)
    spaces = await services.genie.list_spaces()
    rows = []
    for space in spaces:
        alias = directory.alias_of(space.space_id)
        marks = [f"@{alias}"] if alias else []
        if space.space_id == directory.default:
            marks.append("default")
        rows.append([space.title, space.space_id, ", ".join(marks)])
    text = f"{len(spaces)} Genie space(s) visible to qopt."
    return Reply(
        text=text,
        blocks=[Header(text="Genie spaces"), Table(columns=["space", "space_id", "use as"], rows=rows),
                Context(text="Ask a space by alias: `ask @alias <question>` (aliases: QOPT_GENIE_SPACES).")],
    )
