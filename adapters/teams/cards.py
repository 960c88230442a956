"""Render a Reply as a Teams message activity holding one Adaptive Card (schema 1.5).

Every block maps to card elements: a header to a heading TextBlock, fields to a FactSet, a table to a Table,
SQL to a monospace TextBlock on an emphasis Container, buttons to `Action.Submit` carrying `{action, value}`
(the bot runs `<action> <value>` when one is pressed). The notification text travels as the activity's
`summary` and the card's `fallbackText`, so clients that cannot draw the card still show the answer.

A card must stay under 80 KB (Teams' recommendation; the hard limit is 100 KB): long tables lose rows from the
end, shown as "…and N more", then long texts are clipped, until the activity fits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from qopt.bot import format as fmt
from qopt.bot.reply import Actions, Block, Button, Code, Context, Fields, Header, Image, Reply, Table, Text

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
MAX_ACTIVITY_BYTES = 80 * 1024  # Teams recommends 80 KB; messages over 100 KB are refused
MAX_TABLE_ROWS = 100  # rows drawn before trimming for size
MAX_TABLE_COLUMNS = 12  # wider tables are unreadable in a chat pane
MAX_CELL_TEXT = 300
MAX_TEXT = 8000
MAX_SUMMARY = 1000
MAX_BUTTON_TITLE = 60

_BUTTON_STYLES = {"primary": "positive", "danger": "destructive"}
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_SINGLE_BOLD = re.compile(r"(?<![*\w])\*([^*\s](?:[^*\n]*[^*\s])?)\*(?![*\w])")


def to_markdown(text: str) -> str:
    """Reply light markup to the Markdown subset Adaptive Cards draw: `*bold*` becomes `**bold**`.

    `_italic_` is the same in both; `code` marks have no Adaptive Card equivalent and stay as typed, and nothing
    inside them is converted (`*` in "`SELECT *`" is not a bold mark).
    """
    out: list[str] = []
    pos = 0
    for span in _CODE_SPAN.finditer(text):
        out += [_SINGLE_BOLD.sub(r"**\1**", text[pos : span.start()]), span.group(0)]
        pos = span.end()
    out.append(_SINGLE_BOLD.sub(r"**\1**", text[pos:]))
    return "".join(out)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def plain(text: str) -> str:
    """Text without light markup, for places that take none (summary, fallback text, button titles)."""
    return re.sub(r"(?<!\w)[*_`]+|[*_`]+(?!\w)", "", text)


@dataclass(frozen=True)
class _Budget:
    """How much of each block is drawn; shrunk step by step until the activity fits."""

    rows: int = MAX_TABLE_ROWS
    text: int = MAX_TEXT


def render_activity(reply: Reply, *, max_bytes: int = MAX_ACTIVITY_BYTES) -> dict[str, Any]:
    """A message activity (Bot Framework JSON) with one Adaptive Card 1.5 attachment and a text fallback."""
    for budget in _budgets():
        activity = _activity(reply, budget)
        if _size(activity) <= max_bytes:
            return activity
    # Last resort (hundreds of blocks): the notification text alone.
    return _activity(Reply.message(clip(reply.text, 2000), ok=reply.ok), _Budget(rows=1, text=2000))


def _budgets() -> Iterator[_Budget]:
    """Ever smaller drawings: first fewer table rows, then shorter texts."""
    rows = MAX_TABLE_ROWS
    while rows > 1:
        yield _Budget(rows=rows, text=MAX_TEXT)
        rows //= 2
    text = MAX_TEXT
    while text >= 250:
        yield _Budget(rows=1, text=text)
        text //= 2


def render_card(reply: Reply) -> dict[str, Any]:
    """Just the Adaptive Card of `render_activity`."""
    return render_activity(reply)["attachments"][0]["content"]


def working_activity(what: str, line: str | None = None) -> dict[str, Any]:
    """The placeholder shown while a slow skill runs (with its latest progress line); replaced by the answer."""
    text = f"Working on `{clip(what, 200)}`…"
    body: list[dict[str, Any]] = [{"type": "TextBlock", "text": to_markdown(text), "wrap": True, "isSubtle": True}]
    if line:
        body.append({"type": "TextBlock", "text": to_markdown(clip(line, 500)), "wrap": True, "size": "Small"})
    return _wrap(_card(body, [], plain(text)), plain(text))


def _activity(reply: Reply, budget: _Budget) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    for block in reply.blocks:
        body.extend(_element(block, budget, ok=reply.ok))
    if not body:
        body.append(_text_block(reply.text, budget, ok=reply.ok))
    summary = clip(plain(reply.text), MAX_SUMMARY)
    return _wrap(_card(body, [], summary), summary)


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]], fallback: str) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "fallbackText": fallback,
        "msteams": {"width": "Full"},
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _wrap(card: dict[str, Any], summary: str) -> dict[str, Any]:
    return {
        "type": "message",
        "summary": summary,
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}],
    }


def _element(block: Block, budget: _Budget, *, ok: bool) -> list[dict[str, Any]]:
    if isinstance(block, Header):
        return [
            {"type": "TextBlock", "text": clip(plain(block.text), 200), "style": "heading", "size": "Large",
             "weight": "Bolder", "wrap": True}
        ]
    if isinstance(block, Text):
        return [_text_block(block.text, budget, ok=ok)]
    if isinstance(block, Context):
        return [
            {"type": "TextBlock", "text": to_markdown(clip(block.text, budget.text)), "size": "Small",
             "isSubtle": True, "wrap": True}
        ]
    if isinstance(block, Fields):
        facts = [{"title": clip(plain(f.label), 100), "value": clip(fmt.value(f.value, f.unit), MAX_CELL_TEXT)}
                 for f in block.fields]
        return [{"type": "FactSet", "facts": facts}] if facts else []
    if isinstance(block, Table):
        return _table(block, budget)
    if isinstance(block, Code):
        return [_code(block, budget)]
    if isinstance(block, Actions):
        actions = [_action(b) for b in block.buttons]
        return [{"type": "ActionSet", "actions": actions}] if actions else []
    if isinstance(block, Image):
        return [{"type": "Image", "url": block.url, "altText": clip(block.alt, 500), "size": "Stretch"}]
    return []  # pragma: no cover - every block type is handled above


def _text_block(text: str, budget: _Budget, *, ok: bool) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "TextBlock", "text": to_markdown(clip(text, budget.text)), "wrap": True}
    if not ok:
        element["color"] = "Attention"
    return element


def _code(block: Code, budget: _Budget) -> dict[str, Any]:
    text = block.text if len(block.text) <= budget.text else clip(block.text, budget.text)
    return {
        "type": "Container",
        "style": "emphasis",
        "items": [{"type": "TextBlock", "text": text, "fontType": "Monospace", "wrap": True}],
    }


def _action(button: Button) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "Action.Submit",
        "title": clip(plain(button.label), MAX_BUTTON_TITLE),
        "data": {"action": button.action, "value": button.value},
    }
    if button.style:
        action["style"] = _BUTTON_STYLES[button.style]
    return action


def _table(table: Table, budget: _Budget) -> list[dict[str, Any]]:
    columns = table.columns[:MAX_TABLE_COLUMNS]
    shown = table.rows[: budget.rows]
    numeric = [bool(table.units.get(c)) or _all_numbers(table, i) for i, c in enumerate(columns)]
    header = {
        "type": "TableRow",
        "style": "accent",
        "cells": [_cell(c, bold=True) for c in columns],
    }
    rows = [
        {"type": "TableRow", "cells": [_cell(fmt.value(v, table.units.get(c))) for c, v in zip(columns, row)]}
        for row in shown
    ]
    out: list[dict[str, Any]] = []
    if table.title:
        out.append({"type": "TextBlock", "text": clip(plain(table.title), 200), "weight": "Bolder", "wrap": True})
    out.append({
        "type": "Table",
        "firstRowAsHeader": True,
        "showGridLines": True,
        "gridStyle": "default",
        "columns": [
            {"width": _width(table, i), **({"horizontalCellContentAlignment": "Right"} if numeric[i] else {})}
            for i in range(len(columns))
        ],
        "rows": [header, *rows],
    })
    hidden = max(table.total_rows or 0, len(table.rows)) - len(shown)
    if hidden > 0:
        out.append({"type": "TextBlock", "text": f"…and {hidden:,} more", "size": "Small", "isSubtle": True,
                    "wrap": True})
    if len(table.columns) > len(columns):
        extra = len(table.columns) - len(columns)
        out.append({"type": "TextBlock", "text": f"({extra} more column{'s' if extra > 1 else ''} not shown)",
                    "size": "Small", "isSubtle": True, "wrap": True})
    return out


def _cell(text: str, *, bold: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "TextBlock", "text": clip(" ".join(str(text).split()), MAX_CELL_TEXT),
                            "wrap": True}
    if bold:
        item["weight"] = "Bolder"
    return {"type": "TableCell", "items": [item]}


def _width(table: Table, i: int) -> int:
    """Relative column width, 1–4, from the longest value shown (capped so no column starves the others)."""
    longest = max([len(table.columns[i])] + [len(str(row[i])) for row in table.rows[:MAX_TABLE_ROWS]])
    return max(1, min(4, longest // 12 + 1))


def _all_numbers(table: Table, i: int) -> bool:
    values = [row[i] for row in table.rows if i < len(row) and row[i] is not None]
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _size(activity: dict[str, Any]) -> int:
    return len(json.dumps(activity, ensure_ascii=False).encode("utf-8"))
