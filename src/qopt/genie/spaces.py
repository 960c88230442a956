"""Which Genie space a question goes to: the default space, or one named by an alias (`ask @costs ...`).

`QOPT_GENIE_SPACE_ID` is the default space; `QOPT_GENIE_SPACES="costs=01ef...,perf=01f0..."` names more. Without
a default, the first alias is the default. No space at all means offline answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qopt.errors import UsageError

_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
_SPACE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LEADING_ALIAS = re.compile(r"^\s*@([A-Za-z][A-Za-z0-9_-]*)(?:\s+|$)")


def parse_aliases(text: str | None) -> dict[str, str]:
    """`"costs=01ef,perf=01f0"` → `{"costs": "01ef", "perf": "01f0"}`. Raises ValueError naming the bad part."""
    aliases: dict[str, str] = {}
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        alias, eq, space_id = (s.strip() for s in part.partition("="))
        alias = alias.lstrip("@").lower()
        if not eq or not _ALIAS.match(alias) or not _SPACE_ID.match(space_id):
            raise ValueError(f"expected alias=space_id pairs separated by commas, e.g. costs=01ef...; got {part!r}")
        if alias in aliases:
            raise ValueError(f"alias {alias!r} is given twice")
        aliases[alias] = space_id
    return aliases


@dataclass(frozen=True)
class SpaceDirectory:
    default: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: object) -> "SpaceDirectory":
        aliases = parse_aliases(getattr(settings, "genie_spaces", "") or "")
        default = (getattr(settings, "genie_space_id", None) or "").strip() or None
        if default is None and aliases:
            default = next(iter(aliases.values()))
        return cls(default=default, aliases=aliases)

    @property
    def configured(self) -> bool:
        return self.default is not None

    def alias_of(self, space_id: str) -> str | None:
        return next((a for a, s in self.aliases.items() if s == space_id), None)

    def resolve(self, question: str) -> tuple[str, str | None, str]:
        """(space id, alias used or None, question without the alias). Raises UsageError for an unknown alias."""
        match = _LEADING_ALIAS.match(question)
        if match:
            alias = match.group(1).lower()
            space_id = self.aliases.get(alias)
            if space_id is None:
                known = ", ".join(f"@{a}" for a in self.aliases) or "none (set QOPT_GENIE_SPACES)"
                raise UsageError(f"No Genie space is called @{alias}. Known aliases: {known}.")
            return space_id, alias, question[match.end():].strip()
        if self.default is None:
            raise UsageError("No Genie space is configured: set QOPT_GENIE_SPACE_ID.")
        return self.default, None, question.strip()
