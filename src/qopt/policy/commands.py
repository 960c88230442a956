"""Commands that chat never reaches: running arbitrary SQL and changing configuration are the operator's, on the
command line (whoever can run `qopt sql` already holds the configuration)."""

from __future__ import annotations

from qopt.policy.denial import Denied

CHAT_FORBIDDEN: frozenset[str] = frozenset({
    "sql", "config", "configure", "configuration", "settings", "setting", "set", "env", "secrets", "secret",
    "admin", "serve", "demo-data", "genie-setup", "genie_setup",
})


class ForbiddenCommand(Denied):
    """A command that exists only on the command line."""


def check_command(word: str) -> None:
    """Raise `ForbiddenCommand` for a command word chat must never reach."""
    if word.lower() in CHAT_FORBIDDEN:
        raise ForbiddenCommand(
            f"`{word.lower()}` is not available in chat: running SQL and changing settings are done by the "
            "operator on the command line (`qopt sql`, environment variables). Try `help`."
        )


def assert_no_forbidden_skills(names: list[str]) -> None:
    """Refuse to build a router with a skill (or alias) named like a forbidden command."""
    bad = sorted(n for n in names if n.lower() in CHAT_FORBIDDEN)
    if bad:
        raise ValueError(f"skills must not be named {', '.join(bad)}: those commands never run from chat")
