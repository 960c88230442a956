"""The App Home tab: a small dashboard computed through the same skills as every chat answer.

Each section is one command run through `Bot.handle` (the adapter never runs SQL); its reply is rendered without
the message-only `table` block, within the Home tab's budget of 100 blocks. Quick buttons run common commands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.slack import limits as L
from adapters.slack.blocks import render_blocks, unique_ids
from qopt.bot.reply import Actions, Button, Header, Reply, Table
from qopt.bot.request import Identity, Place

# (title, command): today's spend so far, yesterday against the day before, the three costliest recurring queries.
DEFAULT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("Spend today and the days before", "cost --days 3 --by day"),
    ("Top 3 recurring queries (7 days)", "top --days 7 --limit 3"),
)
QUICK_BUTTONS = (
    Button(label="Top 10 this week", action="top", value="--days 7 --limit 10", style="primary"),
    Button(label="Cost by warehouse", action="cost", value="--days 7 --by warehouse"),
    Button(label="Cost by user", action="cost", value="--days 7 --by user"),
    Button(label="Help", action="help"),
)


# Columns worth the Home tab's width, in the order shown (DESIGN.md fixes `fingerprint`, `runs`, `cost_usd`).
HOME_COLUMNS = ("rank", "day", "fingerprint", "query", "runs", "cost_usd", "share_pct")


def compact(table: Table) -> Table:
    """The table with only the Home tab's columns (all of them when it has none of those)."""
    keep = [c for c in HOME_COLUMNS if c in table.columns]
    if not keep:
        return table
    index = [table.columns.index(c) for c in keep]
    return Table(
        columns=keep,
        rows=[[row[i] if i < len(row) else None for i in index] for row in table.rows],
        units={c: u for c, u in table.units.items() if c in keep},
        title=table.title,
        total_rows=table.total_rows,
    )


async def build_home(
    handle: Callable[[str, Identity, Place], Awaitable[Reply]],
    identity: Identity,
    place: Place,
    *,
    commands: tuple[tuple[str, str], ...] | None = None,
) -> dict[str, Any]:
    """The `views.publish` view for one person."""
    sections = commands if commands is not None else DEFAULT_SECTIONS
    replies = await asyncio.gather(*(handle(command, identity, place) for _, command in sections))
    blocks: list[dict[str, Any]] = render_blocks(
        Reply(text="qopt", blocks=[Header(text="qopt — Databricks SQL spend"), Actions(buttons=list(QUICK_BUTTONS))]),
        source="home",
    )
    budget = L.SURFACE_BLOCKS - len(blocks)
    share = max(3, budget // max(1, len(sections)))
    for (title, _), reply in zip(sections, replies):
        # The section title replaces the reply's header; tables keep their key columns to fit the tab's width.
        inner = [compact(b) if isinstance(b, Table) else b for b in reply.blocks if b.type != "header"]
        part = render_blocks(
            Reply(text=reply.text, blocks=[Header(text=title), *inner], ok=reply.ok),
            source="home",
            max_blocks=min(share, budget),
            table_blocks=False,
        )
        blocks += [{"type": "divider"}] + part if len(part) < budget else part[:budget]
        budget = L.SURFACE_BLOCKS - len(blocks)
        if budget <= 1:
            break
    return {"type": "home", "blocks": unique_ids(blocks[: L.SURFACE_BLOCKS])}
