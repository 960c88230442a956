"""Who may see what — the one place that decides. Skills ask here; they do not decide on their own.

- `access(request, settings)` → `Access`: the allowed workspaces (`Access.scope(...)` gives the `Scope` to pass to
  `qopt.workload` / `qopt.costs`, values bound as SQL parameters), whose statement text may be shown
  (`may_see_statement_text(owner)`), and whether any SQL may appear here (`sql_visible`).
- `for_channel(place, settings)`: the same for scheduled posts (digests, alerts) into a channel.
- `check_command(word)`: commands chat never reaches (`sql`, configuration).
- Rate limits (`qopt.policy.limits`), the audit trail (`qopt.policy.audit`) and the router gate that applies them
  before any skill runs (`qopt.policy.guard`).

The rules are documented in `qopt.policy.access` and the README's "Security model".
"""

from __future__ import annotations

from qopt.bot.request import Identity, Place, Request
from qopt.config import Settings
from qopt.policy.access import Access, AccessDenied, decide, for_channel, is_admin, unmapped_message
from qopt.policy.commands import CHAT_FORBIDDEN, check_command

__all__ = [
    "CHAT_FORBIDDEN", "Access", "AccessDenied", "access", "check_command", "decide", "for_channel", "is_admin",
    "may_see_statement_text", "unmapped_message",
]


def access(request: Request, settings: Settings) -> Access:
    """The access of the person behind `request`, where they asked (`--share` or a shared slash answer count)."""
    return decide(request.user, request.place, settings, share=request.share or request.place.shared)


def may_see_statement_text(
    user: Identity, place: Place, owner: str | None, settings: Settings, *, share: bool = False
) -> bool:
    """Full SQL text of a statement run by `owner`: only where SQL may be shown, and only one's own (admins: any)."""
    return decide(user, place, settings, share=share or place.shared).may_see_statement_text(owner)
