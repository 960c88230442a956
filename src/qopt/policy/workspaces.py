"""`QOPT_WORKSPACE_MAP`: which Databricks workspaces each chat workspace, tenant or channel may see.

Format — entries separated by `;`, each `KIND:ID=WORKSPACES`:

    slack:T0123ABCD=1234567890123456,2345678901234567;teams:72f988bf-86f1-41af-91ab-2d7cd011db47=1234567890123456;
    channel:C0456EFGH=2345678901234567;slack:T0999ZZZZ=*

- `KIND` is `slack` (a Slack workspace, its team id `T...`), `teams` (a Microsoft Teams tenant id) or `channel`
  (one Slack channel id `C...`/`G...` or one Teams conversation id `19:...@thread.tacv2`);
- `WORKSPACES` is a comma-separated list of Databricks workspace ids, or `*` for all of them;
- a `channel:` entry wins over its Slack workspace's / tenant's entry (a narrower or a wider view for one channel);
- whitespace around parts is ignored; ids keep their case; the same key twice is an error.

Unset or empty: every chat workspace sees every Databricks workspace. Set: a chat workspace, tenant or channel
that no entry names sees nothing (and is told so). The terminal (`qopt shell`, `qopt run`) is the operator's
tool and is not restricted by the map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KINDS = ("slack", "teams", "channel")
ALL = "*"
_WORKSPACE_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


@dataclass(frozen=True)
class WorkspaceMap:
    """Parsed map. `entries[(kind, id)]` is a tuple of workspace ids, or None for `*` (all)."""

    entries: dict[tuple[str, str], tuple[str, ...] | None] = field(default_factory=dict)

    @property
    def is_set(self) -> bool:
        return bool(self.entries)

    @classmethod
    def parse(cls, text: str | None) -> "WorkspaceMap":
        """Parse the setting; a malformed entry raises ValueError naming it."""
        entries: dict[tuple[str, str], tuple[str, ...] | None] = {}
        for raw in (text or "").split(";"):
            entry = raw.strip()
            if not entry:
                continue
            key, eq, value = entry.partition("=")
            kind, colon, ident = key.strip().partition(":")
            kind, ident = kind.strip().lower(), ident.strip()
            if not eq or not colon or kind not in KINDS or not ident:
                raise ValueError(
                    f"bad entry {_short(entry)!r}: use KIND:ID=WORKSPACE[,WORKSPACE...] with KIND one of "
                    f"{', '.join(KINDS)} (or =* for all workspaces)"
                )
            if (kind, ident) in entries:
                raise ValueError(f"{kind}:{_short(ident)} appears twice")
            entries[(kind, ident)] = _workspaces(value, entry)
        return cls(entries)

    def lookup(self, platform: str, team_id: str | None, channel_id: str | None) -> tuple[bool, tuple[str, ...] | None]:
        """(mapped, workspaces) for a chat place: the channel's entry, else its workspace's/tenant's entry."""
        channel = _base_channel(channel_id)
        if channel and ("channel", channel) in self.entries:
            return True, self.entries[("channel", channel)]
        if platform in ("slack", "teams") and team_id and (platform, team_id) in self.entries:
            return True, self.entries[(platform, team_id)]
        return False, ()


def _workspaces(value: str, entry: str) -> tuple[str, ...] | None:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if items == [ALL]:
        return None
    if not items:
        raise ValueError(f"bad entry {_short(entry)!r}: no workspace ids after '=' (use * for all)")
    for item in items:
        if not _WORKSPACE_ID.match(item):
            raise ValueError(f"bad workspace id {_short(item)!r} in {_short(entry)!r}")
    return tuple(dict.fromkeys(items))


def _base_channel(channel_id: str | None) -> str | None:
    """A Teams channel thread's conversation id carries `;messageid=...`: the channel is the part before it."""
    if not channel_id:
        return None
    return channel_id.split(";messageid=", 1)[0]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
