"""Route a chat message to its skill: parse, run, and always come back with a Reply.

No input produces a traceback: usage mistakes become a reply showing the right form, unknown words get help
with a "did you mean", and a failing skill becomes an apology with a short error id (details go to the log).
"""

from __future__ import annotations

import difflib
import inspect
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence

from pydantic import ValidationError

from qopt.bot.options import validate_arguments
from qopt.bot.parser import parse_options, split_command, tokenize, usage_line
from qopt.bot.reply import Context, Reply, Text
from qopt.bot.request import Identity, Place, Request
from qopt.bot.skill import Services, Skill
from qopt.errors import QoptError, UsageError
from qopt.policy.commands import assert_no_forbidden_skills, check_command

log = logging.getLogger("qopt.router")

# Observers see every handled message: (request, reply, seconds). Metrics and audit hook in here; an observer may
# be async (its result is awaited).
Observer = Callable[[Request, Reply, float], None | Awaitable[None]]
# Gates run after parsing and before the skill (policy, rate limits): the first to return a Reply answers instead.
Gate = Callable[[Skill, Request], Awaitable[Reply | None]]


class Router:
    def __init__(
        self,
        skills: Sequence[Skill],
        services: Services,
        *,
        help_command: str = "help",
        question_command: str | None = None,
    ) -> None:
        self.services = services
        self.skills: dict[str, Skill] = {}
        assert_no_forbidden_skills([w for s in skills for w in (s.name, *s.aliases)])
        for skill in skills:
            for word in (skill.name, *skill.aliases):
                self.skills[word] = skill
        self.help_command = help_command
        self.question_command = question_command  # where free text goes (Genie), when set
        self.observers: list[Observer] = []
        self.gates: list[Gate] = []

    @property
    def commands(self) -> list[Skill]:
        seen: dict[str, Skill] = {}
        for skill in self.skills.values():
            seen.setdefault(skill.name, skill)
        return list(seen.values())

    def parse(self, text: str, *, user: Identity | None = None, place: Place | None = None) -> tuple[Skill, Request]:
        """Find the skill and parse its options. Raises UsageError with a helpful message."""
        word, rest = split_command(text)
        if not word:
            word = self.help_command
        check_command(word)  # `sql` and configuration never run from chat
        skill = self.skills.get(word)
        if skill is None:
            if self.question_command and self.question_command in self.skills and _looks_like_question(word, rest):
                skill, word, rest = self.skills[self.question_command], self.question_command, text.strip()
            else:
                raise UsageError(self._unknown(word))
        request = Request(
            text=text, command=skill.name, rest=rest, user=user or Identity(user_id="local"), place=place or Place()
        )
        if skill.raw_text:
            tokens = [t for t in tokenize(rest) if t.startswith("--")] if skill.options else []
            args, _, notes = parse_options(skill.name, _flags_only(tokens, skill), skill.options)
            request.rest = _strip_flags(rest, skill)
        else:
            args, positionals, notes = parse_options(skill.name, tokenize(rest), skill.options)
            request.positionals = positionals
        try:
            request.args = validate_arguments(skill.options, args)
        except ValidationError as exc:
            problem = exc.errors()[0]
            name = str(problem["loc"][0]) if problem.get("loc") else "argument"
            raise UsageError(f"`--{name.replace('_', '-')}`: {problem['msg']}. Usage: {self.usage(skill)}") from None
        request.notes = notes
        return skill, request

    async def handle(self, text: str, *, user: Identity | None = None, place: Place | None = None) -> Reply:
        started = time.perf_counter()
        request = Request(text=text or "", user=user or Identity(user_id="local"), place=place or Place())
        try:
            skill, request = self.parse(text or "", user=user, place=place)
            reply = None
            for gate in self.gates:
                reply = await gate(skill, request)
                if reply is not None:
                    break
            if reply is None:
                reply = await skill.run(request, self.services)
            if request.notes:
                reply.blocks.append(Context(text=" ".join(request.notes)))
        except UsageError as exc:
            reply = Reply(text=str(exc), blocks=[Text(text=str(exc))], ok=False)
        except QoptError as exc:  # a service failed: say what, with an id to find it in the log
            error_id = secrets.token_hex(4)
            log.warning("service error (error id %s, command %r): %s", error_id, request.command, exc)
            message = f"{exc} (error id `{error_id}`)"
            reply = Reply(text=message, blocks=[Text(text=message)], ok=False, error_id=error_id)
        except Exception:  # noqa: BLE001 - the chat must always get an answer
            error_id = secrets.token_hex(4)
            log.exception("skill failed (error id %s, command %r)", error_id, request.command)
            message = f"Sorry, something went wrong on my side (error id `{error_id}`). It has been logged."
            reply = Reply(text=message, blocks=[Text(text=message)], ok=False, error_id=error_id)
        elapsed = time.perf_counter() - started
        for observer in self.observers:
            try:
                outcome = observer(request, reply, elapsed)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:  # noqa: BLE001 - an observer must never break a reply
                log.exception("observer failed")
        return reply

    def _unknown(self, word: str) -> str:
        names = sorted({s.name for s in self.commands})
        hint = difflib.get_close_matches(word, list(self.skills), n=1, cutoff=0.6)
        shown = word if len(word) <= 30 else word[:29] + "…"
        did_you_mean = f" Did you mean `{self.skills[hint[0]].name}`?" if hint else ""
        return f"I don't know the command `{shown}`.{did_you_mean} Try `help`; commands: {', '.join(names)}."

    def usage(self, skill: Skill) -> str:
        return usage_line(skill.name, skill.options, skill.positional)


def _looks_like_question(word: str, rest: str) -> bool:
    """Free text rather than a mistyped command: several words, or a question mark."""
    return bool(rest) or word.endswith("?")


def _flags_only(tokens: list[str], skill: Skill) -> list[str]:
    """For raw-text skills: keep known flags (and their values) and leave the text to the skill."""
    known = {o.flag: o for o in skill.options}
    out: list[str] = []
    for token in tokens:
        flag = token.partition("=")[0].lower()
        if flag in known:
            out.append(token)
    return out


def _strip_flags(rest: str, skill: Skill) -> str:
    """Remove known boolean flags such as `--share` from raw text (SQL keeps everything else)."""
    words = rest.split(" ")
    flags = {o.flag for o in skill.options if o.kind == "flag"}
    return " ".join(w for w in words if w.lower() not in flags).strip()
