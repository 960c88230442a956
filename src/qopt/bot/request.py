"""A platform-neutral request: who asks, where, and what they typed (parsed)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Platform = Literal["shell", "slack", "teams", "api"]


class Identity(BaseModel):
    """The person asking. `email` is what access control keys on."""

    user_id: str
    email: str | None = None
    name: str | None = None
    aad_object_id: str | None = None


class Place(BaseModel):
    """Where the request was made."""

    platform: Platform = "shell"
    team_id: str | None = None  # Slack workspace (team) or Teams tenant
    channel_id: str | None = None
    thread_id: str | None = None
    is_dm: bool = True
    shared: bool = False  # the answer is posted for everyone in the place (a Slack slash command with --share)


class Request(BaseModel):
    """One chat message, parsed. `rest` is the raw text after the command word (for SQL and questions)."""

    text: str
    command: str = ""
    args: dict[str, Any] = Field(default_factory=dict)
    positionals: list[str] = Field(default_factory=list)
    rest: str = ""
    user: Identity = Field(default_factory=lambda: Identity(user_id="local"))
    place: Place = Field(default_factory=Place)
    notes: list[str] = Field(default_factory=list)  # parser remarks shown with the reply (e.g. clamped values)

    @property
    def share(self) -> bool:
        return bool(self.args.get("share"))
