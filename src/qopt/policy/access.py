"""The access decision for one request: which workspaces, whose statement text, and whether SQL may be shown.

Rules (README "Security model"):
- admins (`QOPT_ADMINS`, by e-mail) see every workspace and the full text of any statement;
- everyone else sees aggregates of the workspaces their chat place maps to (`QOPT_WORKSPACE_MAP`; all when unset),
  the full text of their own statements, and masked fingerprints of everyone else's;
- a chat place the map (when set) does not name sees nothing, and is told so;
- SQL (statement text, Genie's generated SQL) is shown only in a DM, or in a channel when an admin asks with
  `--share`; everywhere else it is masked, admins included;
- the terminal is the operator's tool: it is not restricted by the map (its user still is not an admin unless
  listed, so statement text follows the same rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from qopt.bot.request import Identity, Place
from qopt.config import Settings
from qopt.policy.denial import Denied
from qopt.policy.workspaces import WorkspaceMap
from qopt.workload import Scope


class AccessDenied(Denied):
    """The asker may not see this; the message says why and what to do (shown as a normal reply)."""


@lru_cache(maxsize=16)
def workspace_map(text: str) -> WorkspaceMap:
    return WorkspaceMap.parse(text)


def is_admin(user: Identity, settings: Settings) -> bool:
    return bool(user.email) and user.email.lower() in settings.admin_emails


@dataclass(frozen=True)
class Access:
    """What one asker, in one place, may see. Build it with `decide` (or `for_channel` for scheduled posts)."""

    user: Identity
    place: Place
    admin: bool
    mapped: bool  # False: the map is set and does not name this place, so nothing can be shown
    workspaces: tuple[str, ...] | None  # the allow-list; None = every workspace
    share: bool = False  # the answer is posted for everyone in the place (`--share`)

    @property
    def restricted(self) -> bool:
        return self.workspaces is not None

    @property
    def sql_visible(self) -> bool:
        """Whether any SQL text may appear in the answer here: a DM, or an admin's explicit `--share`."""
        return self.place.is_dm or (self.admin and self.share)

    def may_see_statement_text(self, owner: str | None) -> bool:
        """Full text of a statement run by `owner`: admins any, others their own; only where SQL may be shown."""
        if not self.sql_visible:
            return False
        if self.admin:
            return True
        mine = {x.lower() for x in (self.user.email, self.user.user_id) if x}
        return bool(owner) and owner.lower() in mine

    def allows_workspace(self, workspace_id: str | None) -> bool:
        return self.workspaces is None or (workspace_id is not None and str(workspace_id) in self.workspaces)

    def scope(self, *, user: str | None = None, warehouse: str | None = None, workspace: str | None = None) -> Scope:
        """The Scope to pass to `qopt.workload`/`qopt.costs`: the asked filters plus the allow-list.
        Asking for a workspace outside the allow-list is refused (not silently emptied)."""
        self.require_mapped()
        if workspace is not None and not self.allows_workspace(workspace):
            raise AccessDenied(f"You can't see workspace `{_short(workspace)}` from here; {self.describe_workspaces()}.")
        return Scope(user=user, warehouse=warehouse, workspace=workspace, workspaces=self.workspaces)

    def require_mapped(self) -> None:
        if not self.mapped:
            raise AccessDenied(unmapped_message(self.place))

    def describe_workspaces(self) -> str:
        if self.workspaces is None:
            return "you can see every workspace"
        if not self.workspaces:
            return "you can see no workspace"
        shown = ", ".join(self.workspaces[:10]) + (" …" if len(self.workspaces) > 10 else "")
        return f"you can see workspace{'s' if len(self.workspaces) > 1 else ''} {shown}"

    def summary(self) -> dict[str, Any]:
        """The decision in a few fields (audit trail, logs)."""
        return {
            "admin": self.admin,
            "mapped": self.mapped,
            "workspaces": "*" if self.workspaces is None else list(self.workspaces),
            "sql_visible": self.sql_visible,
            "share": self.share,
        }


def decide(user: Identity, place: Place, settings: Settings, *, share: bool = False) -> Access:
    """The access of `user` asking in `place` (`share`: the answer will be posted for everyone there)."""
    admin = is_admin(user, settings)
    mapping = workspace_map(settings.workspace_map)
    if admin or place.platform == "shell" or not mapping.is_set:
        mapped, workspaces = True, None
    else:
        mapped, workspaces = mapping.lookup(place.platform, place.team_id, place.channel_id)
    return Access(user=user, place=place, admin=admin, mapped=mapped, workspaces=workspaces, share=share)


def for_channel(place: Place, settings: Settings) -> Access:
    """What a scheduled post (digest, alert) into `place` may show: nobody's own statements, never SQL text."""
    mapping = workspace_map(settings.workspace_map)
    if not mapping.is_set or place.platform == "shell":
        mapped, workspaces = True, None
    else:
        mapped, workspaces = mapping.lookup(place.platform, place.team_id, place.channel_id)
    channel = Identity(user_id=f"channel:{place.channel_id or '-'}")
    return Access(user=channel, place=place.model_copy(update={"is_dm": False}), admin=False, mapped=mapped,
                  workspaces=workspaces)


def unmapped_message(place: Place) -> str:
    what = {"slack": "This Slack workspace", "teams": "This Teams tenant"}.get(place.platform, "This place")
    ident = f" (`{_short(place.team_id)}`)" if place.team_id else ""
    return (f"{what}{ident} is not mapped to any Databricks workspace, so I can't show any data here. "
            "Ask an admin to add it to QOPT_WORKSPACE_MAP.")


def _short(text: str, limit: int = 40) -> str:
    text = str(text).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"
