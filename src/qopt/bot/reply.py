"""A platform-neutral reply: a fallback text plus a list of typed blocks.

Adapters render it (Slack Block Kit, Teams Adaptive Card, terminal text, JSON); skills never know how.
The JSON form is a contract (DESIGN.md): `{"text": ..., "blocks": [...]}`, a table block being
`{"type": "table", "columns": [...], "rows": [[scalars]]}` with numbers as JSON numbers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field

Scalar = str | int | float | bool | None

# Units a column or field value may carry, so each renderer formats numbers the same way.
Unit = Literal["usd", "ms", "bytes", "pct", "count", "date", "datetime"]


class Header(BaseModel):
    type: Literal["header"] = "header"
    text: str


class Text(BaseModel):
    """A paragraph. Light markup: *bold*, _italic_, `code`."""

    type: Literal["text"] = "text"
    text: str


class Field_(BaseModel):
    label: str
    value: Scalar
    unit: Unit | None = None


class Fields(BaseModel):
    type: Literal["fields"] = "fields"
    fields: list[Field_]


class Table(BaseModel):
    type: Literal["table"] = "table"
    columns: list[str]
    rows: list[list[Scalar]]
    units: dict[str, Unit] = Field(default_factory=dict)
    title: str | None = None
    total_rows: int | None = None  # rows that exist beyond those shown, when the reply is a page


class Code(BaseModel):
    type: Literal["code"] = "code"
    text: str
    language: str = "sql"


class Context(BaseModel):
    """Small print: assumptions, methods, data freshness."""

    type: Literal["context"] = "context"
    text: str


class Button(BaseModel):
    label: str
    action: str  # the command a press runs, e.g. "optimize"
    value: str = ""  # its argument, e.g. a fingerprint or statement id
    style: Literal["primary", "danger"] | None = None


class Actions(BaseModel):
    type: Literal["actions"] = "actions"
    buttons: list[Button]


class Image(BaseModel):
    type: Literal["image"] = "image"
    url: str
    alt: str


Block = Annotated[Union[Header, Text, Fields, Table, Code, Context, Actions, Image], Field(discriminator="type")]


class Reply(BaseModel):
    text: str
    blocks: list[Block] = Field(default_factory=list)
    ok: bool = True  # False for errors and refusals; adapters may style them
    error_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON contract: text, blocks, and error fields only when set."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=False)

    @classmethod
    def message(cls, text: str, *, ok: bool = True) -> "Reply":
        return cls(text=text, blocks=[Text(text=text)], ok=ok)
