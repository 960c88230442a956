"""`help`: every command with an example."""

from __future__ import annotations

from qopt.bot.options import Option
from qopt.bot.parser import usage_line
from qopt.bot.reply import Code, Context, Header, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill


class HelpSkill(Skill):
    name = "help"
    summary = "List the commands, or show one command's options: `help top`."
    examples = ("help", "help cost")
    positional = "[command]"
    aliases = ("?", "commands")

    async def run(self, request: Request, services: Services) -> Reply:
        router = services.extras.get("router")
        skills = router.commands if router else []
        if request.positionals:
            wanted = request.positionals[0].lower().lstrip("/")
            match = next((s for s in skills if wanted in (s.name, *s.aliases)), None)
            if match is not None:
                return _one(match)
        rows = [[s.name, s.summary, (s.examples or [s.name])[0]] for s in skills]
        text = "qopt finds the Databricks SQL that costs the most and tells you what to change."
        return Reply(
            text=text + " Commands: " + ", ".join(s.name for s in skills),
            blocks=[
                Header(text="qopt — commands"),
                Text(text=text),
                Table(columns=["command", "what it does", "example"], rows=rows),
                Context(text="Type `help <command>` for its options. In Slack: `/qopt <command>`."),
            ],
        )


def _one(skill: Skill) -> Reply:
    usage = usage_line(skill.name, skill.options, skill.positional)
    rows = [[o.usage(), o.help, _default(o)] for o in skill.options]
    blocks = [Header(text=f"qopt {skill.name}"), Text(text=skill.summary), Code(text=usage, language="text")]
    if rows:
        blocks.append(Table(columns=["option", "meaning", "default"], rows=rows))
    if skill.examples:
        blocks.append(Text(text="Examples: " + "; ".join(f"`{e}`" for e in skill.examples)))
    return Reply(text=f"{skill.name}: {skill.summary} Usage: {usage}", blocks=blocks)


def _default(option: Option) -> str:
    if option.kind == "flag":
        return "off"
    return "–" if option.default is None else str(option.default)
