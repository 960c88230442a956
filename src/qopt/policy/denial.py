"""Refusals by policy. Each one is also remembered for the current request, so the audit trail can tell a refusal
("denied", with its reason) from a plain usage mistake, whichever layer raised it."""

from __future__ import annotations

from contextvars import ContextVar

from qopt.errors import UsageError

_last: ContextVar[str | None] = ContextVar("qopt_policy_denial", default=None)


class Denied(UsageError):
    """A policy refusal; the message is shown to the asker as a normal reply."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        _last.set(message)


def take_denial() -> str | None:
    """The reason of the last refusal in this context, cleared."""
    reason = _last.get()
    if reason is not None:
        _last.set(None)
    return reason
