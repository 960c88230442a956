"""Render a platform-neutral Reply as a Slack message: Block Kit blocks plus a plain-text fallback.

Every limit of Block Kit is respected here (see `limits`): long text is split over several sections, fields are
split ten to a section, the first table becomes a `table` block (header row + 99 rows, 20 cells a row), any other
table or a too-wide one becomes a preformatted fallback, buttons go 25 to an actions block, and a message never
exceeds its block budget — what does not fit is replaced by "…and N more".

Buttons carry the command they run in `action_id` (`qopt:<command>:<n>`) and its argument in `value`; the actions
block's `block_id` names the command that produced the message, so a press can tell paging from a follow-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.slack import limits as L
from adapters.slack.markup import clip, escape, split_text, strip_markup, to_mrkdwn
from adapters.terminal import render_text
from qopt.bot import format as fmt
from qopt.bot.reply import Actions, Button, Code, Context, Fields, Header, Image, Reply, Table, Text

ACTION_PREFIX = "qopt:"
JSONBlock = dict[str, Any]


def action_id(button: Button, index: int) -> str:
    """`qopt:<command>:<n>`: the command a press runs; `n` keeps ids unique within a message."""
    return clip(f"{ACTION_PREFIX}{button.action}:{index}", L.ACTION_ID, "")


def parse_action_id(value: str) -> str | None:
    """The command encoded by `action_id`, or None for an id that is not ours."""
    if not value.startswith(ACTION_PREFIX):
        return None
    command, _, _ = value[len(ACTION_PREFIX) :].rpartition(":")
    return command or None


def actions_block_id(source: str | None, index: int) -> str:
    return clip(f"qopt-actions:{source or ''}:{index}", L.ACTION_ID, "")


def parse_actions_block_id(block_id: str | None) -> str | None:
    """The command that produced the message holding a button (see `actions_block_id`)."""
    if not block_id or not block_id.startswith("qopt-actions:"):
        return None
    source = block_id.split(":")[1]
    return source or None


def fallback_text(reply: Reply) -> str:
    """The notification / screen-reader text: plain, escaped, never empty."""
    text = strip_markup(reply.text or "").strip() or "qopt"
    if not reply.ok:
        text = "⚠️ " + text
    return escape(clip(text, L.FALLBACK_TEXT))


def render_message(reply: Reply, *, source: str | None = None, max_blocks: int = L.MESSAGE_BLOCKS) -> dict[str, Any]:
    """`{"text": fallback, "blocks": [...]}` for chat.postMessage, chat.update and response_url posts."""
    return {"text": fallback_text(reply), "blocks": render_blocks(reply, source=source, max_blocks=max_blocks)}


def render_blocks(
    reply: Reply, *, source: str | None = None, max_blocks: int = L.MESSAGE_BLOCKS, table_blocks: bool = True
) -> list[JSONBlock]:
    """The Block Kit blocks of a reply, within `max_blocks`. `table_blocks=False` for surfaces without tables."""
    renderer = _Renderer(source=source, table_blocks=table_blocks)
    for block in reply.blocks:
        renderer.add(block, ok=reply.ok)
    if not renderer.out:  # no blocks, or only empty ones: the text alone
        renderer.add(Text(text=reply.text or " "), ok=reply.ok)
    return _fit(renderer.out, max_blocks)


class _Renderer:
    def __init__(self, *, source: str | None, table_blocks: bool) -> None:
        self.out: list[JSONBlock] = []
        self.source = source
        self.table_used = not table_blocks  # one table block per message
        self.buttons = 0
        self.action_blocks = 0

    def add(self, block: object, *, ok: bool) -> None:
        handler: Callable[[Any], None] = getattr(self, "_" + block.type)  # type: ignore[attr-defined]
        if isinstance(block, Text) and not ok:
            block = Text(text=":warning: " + block.text)
        handler(block)

    def _header(self, block: Header) -> None:
        text = clip(" ".join(strip_markup(block.text).split()) or " ", L.HEADER_TEXT)
        self.out.append({"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}})

    def _text(self, block: Text) -> None:
        for chunk in mrkdwn_chunks(block.text, L.SECTION_TEXT):
            self.out.append(_section(chunk))

    def _fields(self, block: Fields) -> None:
        items = [
            {"type": "mrkdwn", "text": _field_text(f.label, fmt.value(f.value, f.unit))} for f in block.fields
        ]
        for start in range(0, len(items), L.SECTION_FIELDS):
            self.out.append({"type": "section", "fields": items[start : start + L.SECTION_FIELDS]})

    def _table(self, block: Table) -> None:
        if block.title:
            self.out.append(_section("*" + escape(clip(strip_markup(block.title), L.SECTION_TEXT - 2)) + "*"))
        if not self.table_used and 0 < len(block.columns) <= L.TABLE_CELLS and block.rows:
            self.table_used = True
            self.out.extend(_table_block(block))
        else:
            self.out.extend(_preformatted_table(block))

    def _code(self, block: Code) -> None:
        for chunk in mrkdwn_chunks(block.text, L.SECTION_TEXT - 6, convert=escape):
            self.out.append(_section(f"```{chunk}```"))

    def _context(self, block: Context) -> None:
        for chunk in mrkdwn_chunks(block.text, L.CONTEXT_TEXT):
            self.out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": chunk}]})

    def _actions(self, block: Actions) -> None:
        elements = []
        for button in block.buttons:
            element: JSONBlock = {
                "type": "button",
                "text": {"type": "plain_text", "text": clip(strip_markup(button.label) or "…", L.BUTTON_TEXT), "emoji": True},
                "action_id": action_id(button, self.buttons),
            }
            if button.value:
                element["value"] = clip(button.value, L.BUTTON_VALUE, "")
            if button.style:
                element["style"] = button.style
            self.buttons += 1
            elements.append(element)
        for start in range(0, len(elements), L.ACTIONS_ELEMENTS):
            self.out.append(
                {
                    "type": "actions",
                    "block_id": actions_block_id(self.source, self.action_blocks),
                    "elements": elements[start : start + L.ACTIONS_ELEMENTS],
                }
            )
            self.action_blocks += 1

    def _image(self, block: Image) -> None:
        if len(block.url) > L.IMAGE_URL:  # Slack refuses the message; say so instead
            self.out.append(_context_line(f"(image left out: {escape(clip(block.alt, 200))})"))
            return
        self.out.append({"type": "image", "image_url": block.url, "alt_text": clip(block.alt or "image", L.ALT_TEXT)})


def mrkdwn_chunks(
    text: str, limit: int, convert: Callable[[str], str] = to_mrkdwn, raw_limit: int | None = None
) -> list[str]:
    """Split `text` so that each converted chunk holds at most `limit` characters (escaping makes text longer)."""
    out: list[str] = []
    raw_limit = raw_limit or limit
    for raw in split_text(text or " ", raw_limit):
        converted = convert(raw) or " "
        if len(converted) <= limit:
            out.append(converted)
            continue
        smaller = int(len(raw) * limit / len(converted)) - 8
        if 1 <= smaller < len(raw):
            out.extend(mrkdwn_chunks(raw, limit, convert, smaller))
        else:  # pragma: no cover - only for pathological input
            out.append(clip(converted, limit))
    return out


def _section(text: str) -> JSONBlock:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context_line(text: str) -> JSONBlock:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _field_text(label: str, value: str) -> str:
    label_md = "*" + escape(clip(strip_markup(label), 200)) + "*\n"
    return label_md + clip(escape(value), L.FIELD_TEXT - len(label_md))


def _cell(text: str) -> JSONBlock:
    text = " ".join(text.split())
    return {"type": "raw_text", "text": clip(text, L.TABLE_CELL_TEXT) or "–"}


def _header_cell(text: str) -> JSONBlock:
    return {
        "type": "rich_text",
        "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": clip(text, L.TABLE_CELL_TEXT) or "–", "style": {"bold": True}}]}
        ],
    }


def _numeric(table: Table, i: int, column: str) -> bool:
    if table.units.get(column) in ("usd", "ms", "bytes", "pct", "count"):
        return True
    values = [row[i] for row in table.rows if i < len(row) and row[i] is not None]
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _table_block(table: Table) -> list[JSONBlock]:
    shown = table.rows[: L.TABLE_ROWS - 1]
    rows = [[_header_cell(c) for c in table.columns]]
    for row in shown:
        cells = [fmt.value(v, table.units.get(c)) for c, v in zip(table.columns, row)]
        cells += ["–"] * (len(table.columns) - len(cells))
        rows.append([_cell(c) for c in cells])
    settings = [{"align": "right"} if _numeric(table, i, c) else {"align": "left", "is_wrapped": True} for i, c in enumerate(table.columns)]
    blocks: list[JSONBlock] = [{"type": "table", "rows": rows, "column_settings": settings}]
    more = max(len(table.rows), table.total_rows or 0) - len(shown)
    if more > 0:
        blocks.append(_context_line(f"…and {more:,} more"))
    return blocks


def _preformatted_table(table: Table) -> list[JSONBlock]:
    """A table as aligned text in a code block: for the second table of a message, or one wider than 20 columns."""
    plain = Table(columns=table.columns, rows=table.rows, units=table.units, total_rows=table.total_rows)
    lines = render_text(Reply(text="", blocks=[plain])).rstrip("\n").splitlines()
    limit = L.SECTION_TEXT - 6
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines:
        line = clip(line, limit)
        cost = len(escape(line)) + 1
        if size + cost > limit and chunks[-1]:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += cost
    return [_section("```" + escape("\n".join(chunk)) + "```") for chunk in chunks]


def _fit(blocks: list[JSONBlock], max_blocks: int) -> list[JSONBlock]:
    """Keep within the block budget: drop the overflow (but keep the trailing buttons), say how much was dropped."""
    if len(blocks) <= max_blocks:
        return blocks
    tail: list[JSONBlock] = []
    while blocks and blocks[-1]["type"] == "actions" and len(tail) < min(2, max_blocks - 1):
        tail.insert(0, blocks.pop())
    room = max(0, max_blocks - len(tail) - 1)
    dropped = len(blocks) - room
    kept = blocks[:room]
    return kept + [_context_line(f"…and {dropped:,} more blocks (too long for one Slack message; narrow the question)")] + tail


def unique_ids(blocks: list[JSONBlock]) -> list[JSONBlock]:
    """Renumber qopt's action and block ids across blocks rendered separately (one view, many replies)."""
    buttons = 0
    for n, block in enumerate(b for b in blocks if b.get("type") == "actions"):
        source = parse_actions_block_id(block.get("block_id"))
        block["block_id"] = actions_block_id(source, n)
        for element in block.get("elements", []):
            command = parse_action_id(element.get("action_id", ""))
            if command is not None:
                element["action_id"] = action_id(Button(label="-", action=command), buttons)
                buttons += 1
    return blocks
