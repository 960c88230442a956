"""The Genie protocol, the answer it returns, and the errors it raises.

A `Genie` asks a question in a space (optionally as a follow-up in an existing conversation) and waits for the
answer: Genie's text, the generated SQL, the result table with typed cells, and suggested follow-up questions.
The Databricks implementation lives in `qopt.genie.client`; without a configured space there is no Genie and the
`ask` skill answers offline (`qopt.genie.offline`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from qopt.errors import ServiceError

# Progress: called with a short human sentence ("Genie is running the query…").
Progress = Callable[[str], Awaitable[None] | None]

Rating = Literal["positive", "negative", "none"]

# Message statuses of the Conversation API, as chat-friendly progress lines.
STATUS_TEXT: dict[str, str] = {
    "SUBMITTED": "Genie received the question…",
    "FETCHING_METADATA": "Genie is reading the tables' metadata…",
    "FILTERING_CONTEXT": "Genie is choosing the relevant tables…",
    "ASKING_AI": "Genie is thinking about the question…",
    "PENDING_WAREHOUSE": "Genie is waiting for the SQL warehouse to start…",
    "EXECUTING_QUERY": "Genie is running the query…",
}


class GenieError(ServiceError):
    """Genie could not answer. The message is safe to show in the chat."""


class GenieFailed(GenieError):
    """The message ended in FAILED (Genie's own error text is kept in the message)."""


class GenieCancelled(GenieError):
    """The message ended in CANCELLED."""


class GenieTimeout(GenieError):
    """No final status within the overall timeout."""


@dataclass
class SpaceInfo:
    space_id: str
    title: str
    description: str = ""
    warehouse_id: str | None = None


@dataclass
class GenieAnswer:
    """One completed Genie message, with its query result fetched and converted."""

    space_id: str
    conversation_id: str
    message_id: str
    status: str = "COMPLETED"
    text: str = ""
    sql: str | None = None
    sql_title: str | None = None
    sql_description: str | None = None
    attachment_id: str | None = None
    columns: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # every row Genie returned, typed
    total_rows: int | None = None  # rows of the result (may exceed `rows` when Genie truncated)
    truncated: bool = False
    suggested_questions: list[str] = field(default_factory=list)
    new_conversation: bool = False  # True when this question started a conversation
    restarted: bool = False  # True when the stored conversation was gone and a new one was started
    queued_behind: int = 0  # its place in the rate-limit line (0: sent at once)

    @property
    def ref(self) -> str:
        """A compact handle for buttons: `space:conversation:message`."""
        return make_ref(self.space_id, self.conversation_id, self.message_id)

    @property
    def has_table(self) -> bool:
        return bool(self.columns)


def make_ref(space_id: str, conversation_id: str, message_id: str) -> str:
    return f"{space_id}:{conversation_id}:{message_id}"


def parse_ref(ref: str) -> tuple[str, str, str]:
    """`space:conversation:message` → its three ids. Raises ValueError on anything else."""
    parts = (ref or "").strip().split(":")
    if len(parts) != 3 or not all(p and p.replace("-", "").replace("_", "").isalnum() for p in parts):
        raise ValueError(f"not a Genie message reference: {ref!r}")
    return parts[0], parts[1], parts[2]


@runtime_checkable
class Genie(Protocol):
    """What the `ask` skill needs from Genie."""

    async def ask(
        self,
        space_id: str,
        question: str,
        *,
        conversation_id: str | None = None,
        progress: Progress | None = None,
    ) -> GenieAnswer:
        """Ask (a follow-up when `conversation_id` is given) and wait for the answer with its result."""
        ...

    async def answer(
        self, space_id: str, conversation_id: str, message_id: str, *, with_result: bool = True
    ) -> GenieAnswer:
        """Fetch an earlier message again: its text and SQL, and (`with_result`) its result, re-run if expired."""
        ...

    async def feedback(self, space_id: str, conversation_id: str, message_id: str, rating: Rating) -> None: ...

    async def list_spaces(self) -> list[SpaceInfo]: ...

    async def close(self) -> None: ...
