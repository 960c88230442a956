"""The router's gate: before any skill runs, the policy and the rate limits decide; after every message the
decision goes to the audit trail and to one structured log line.

Install it once, in the composition root: `Guard.install(router, services)`. Calls a skill makes back into the
router (the offline `ask` runs `top`, say) are checked against the policy again but not charged or audited twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from qopt.bot.parser import split_command
from qopt.bot.reply import Reply, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from qopt.logs import message_text
from qopt.policy import access as access_of
from qopt.policy.access import unmapped_message
from qopt.policy.audit import AuditEntry, clip_args, digest_text, prune, record
from qopt.policy.denial import take_denial
from qopt.policy.limits import RateLimiter

log = logging.getLogger("qopt.audit")

# Commands that show no warehouse data: answered even where the workspace map shows nothing.
OPEN_COMMANDS = frozenset({"help"})
PRUNE_EVERY_SECONDS = 3600.0

_depth: ContextVar[int] = ContextVar("qopt_guard_depth", default=0)


class Guard:
    def __init__(self, services: Services, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.services = services
        self.limiter = RateLimiter(services.settings, clock)
        self.clock = clock
        self._pending: dict[int, tuple[str, str | None, dict[str, Any], Token[int] | None]] = {}
        self._last_prune: float | None = None

    @classmethod
    def install(cls, router: Any, services: Services, *, clock: Callable[[], float] = time.monotonic) -> "Guard":
        guard = cls(services, clock=clock)
        router.gates.append(guard.gate)
        router.observers.append(guard.observe)
        services.extras["policy.guard"] = guard
        return guard

    async def gate(self, skill: Skill, request: Request) -> Reply | None:
        decided = access_of(request, self.services.settings)
        if _depth.get() > 0:  # a skill asking the router on the asker's behalf: policy again, no second charge
            if not decided.mapped and skill.name not in OPEN_COMMANDS:
                return _refusal(unmapped_message(request.place))
            return None
        summary = {"skill": skill.name, **decided.summary()}
        if not decided.mapped and skill.name not in OPEN_COMMANDS:
            reason = unmapped_message(request.place)
            self._pending[id(request)] = ("denied", "unmapped chat workspace", summary, None)
            return _refusal(reason)
        limited = self.limiter.check(request.user, request.place)
        if limited is not None:
            self._pending[id(request)] = ("limited", f"{limited.who} rate limit", summary, None)
            return _refusal(limited.message())
        self._pending[id(request)] = ("allowed", None, summary, _depth.set(1))
        return None

    async def observe(self, request: Request, reply: Reply, seconds: float) -> None:
        pending = self._pending.pop(id(request), None)
        if pending is None and _depth.get() > 0:
            return  # an inner call; the outer message is audited
        denial = take_denial()
        if pending is None:  # refused while parsing: unknown command, bad option, or a command chat never reaches
            decision, reason, summary = ("denied", denial, {}) if denial else ("invalid", None, {})
        else:
            decision, reason, summary, token = pending
            if token is not None:
                _depth.reset(token)
            if decision == "allowed" and not reply.ok:
                decision, reason = ("denied", denial) if denial else ("failed" if reply.error_id else "invalid", None)
        settings = self.services.settings
        command = request.command or split_command(request.text)[0][:40]
        args = clip_args({**request.args, **({"positionals": request.positionals[:5]} if request.positionals else {})})
        entry = AuditEntry(
            at=self.services.clock().timestamp(), platform=request.place.platform, team_id=request.place.team_id,
            channel_id=request.place.channel_id, is_dm=request.place.is_dm, user_id=request.user.user_id,
            email=request.user.email, command=command or "(empty)", args=args,
            text_digest=digest_text(request.text, keep=settings.log_messages), decision=decision,
            reason=(reason or None) and reason[:300], policy=summary, ok=reply.ok, error_id=reply.error_id,
            duration_ms=round(seconds * 1000, 1),
        )
        log.info(
            "handled %s: %s", entry.command, decision,
            extra={"audit": {
                "platform": entry.platform, "team_id": entry.team_id, "channel_id": entry.channel_id,
                "dm": entry.is_dm, "user": entry.email or entry.user_id, "command": entry.command,
                "decision": decision, "reason": entry.reason, "ok": entry.ok, "error_id": entry.error_id,
                "duration_ms": entry.duration_ms, **({"text": message_text(request.text, settings)}
                                                     if settings.log_messages else {}),
            }},
        )
        state = self.services.state
        if state is None:
            return
        await record(state, entry)
        now = self.clock()
        if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY_SECONDS:
            self._last_prune = now
            gone = await prune(state, retention_days=settings.audit_retention_days)
            if gone:
                log.info("pruned %d audit entries older than %d days", gone, settings.audit_retention_days)


def _refusal(message: str) -> Reply:
    return Reply(text=message, blocks=[Text(text=message)], ok=False)
