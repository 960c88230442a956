"""Declarative command options: each skill lists its flags, the parser validates them against that list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

Kind = Literal["int", "float", "str", "choice", "flag"]


@dataclass(frozen=True)
class Option:
    """One `--flag`. Integers outside [min, max] are clamped when `clamp` is set, refused otherwise. A text value
    is at most `max_length` characters and, when `pattern` is set, must match it (a regular expression)."""

    name: str
    kind: Kind = "str"
    default: Any = None
    help: str = ""
    min: float | None = None
    max: float | None = None
    clamp: bool = False
    choices: tuple[str, ...] = field(default_factory=tuple)
    metavar: str = ""
    max_length: int = 200
    pattern: str = ""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def usage(self) -> str:
        if self.kind == "flag":
            return self.flag
        if self.kind == "choice":
            return f"{self.flag} {'|'.join(self.choices)}"
        return f"{self.flag} {self.metavar or self.kind.upper()}"


# Options most skills share.
DAYS = Option("days", "int", 7, "window in days, ending now", min=1, max=365, metavar="N")
LIMIT = Option("limit", "int", 10, "rows to show (1-100)", min=1, max=100, clamp=True, metavar="N")
USER = Option("user", "str", None, "only this user's statements", metavar="EMAIL", max_length=320)
WAREHOUSE = Option("warehouse", "str", None, "only this warehouse (id or name)", metavar="ID")
WORKSPACE = Option("workspace", "str", None, "only this workspace id", metavar="ID", max_length=64,
                   pattern=r"[0-9A-Za-z_-]+")
SHARE = Option("share", "flag", False, "post the answer in the channel for everyone")


@lru_cache(maxsize=256)
def arguments_model(options: tuple[Option, ...]) -> type[BaseModel]:
    """A pydantic model of a skill's arguments, with the options' bounds: the last check before a skill runs.

    The parser already converts and checks each value so it can say what is wrong in the user's terms; the
    model makes the bounds a property of the arguments a skill receives, whoever built them (a button, a thread
    follow-up, a test), and refuses unknown names.
    """
    fields: dict[str, Any] = {}
    for o in options:
        if o.kind == "flag":
            fields[o.name] = (bool, Field(default=bool(o.default)))
        elif o.kind in ("int", "float"):
            kind = int if o.kind == "int" else float
            fields[o.name] = (kind | None, Field(default=o.default, ge=o.min, le=o.max))
        elif o.kind == "choice":
            fields[o.name] = (Literal[o.choices] | None, Field(default=o.default))  # type: ignore[valid-type]
        else:
            fields[o.name] = (str | None, Field(default=o.default, max_length=o.max_length, pattern=o.pattern or None))
    return create_model("Arguments", __config__=ConfigDict(extra="forbid", strict=False), **fields)


def validate_arguments(options: Sequence[Option], args: dict[str, Any]) -> dict[str, Any]:
    """`args` checked against the options' bounds; raises pydantic's ValidationError."""
    return arguments_model(tuple(options)).model_validate(args).model_dump()
