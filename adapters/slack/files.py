"""Results too large for a message go along as a CSV file in the thread (files_upload_v2).

Only tables that carry their whole result (`qopt.bot.results.ResultTable`, e.g. a Genie answer) and have more rows
than the message shows are attached; the skill already decided what the asker may see.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import limits as L
from qopt.bot.reply import Reply, Table
from qopt.bot.results import csv_text, full_rows

log = logging.getLogger("qopt.slack.files")


def attachments(reply: Reply) -> list[tuple[str, str]]:
    """(filename, CSV text) for each table whose full result is larger than what a message shows."""
    out: list[tuple[str, str]] = []
    for block in reply.blocks:
        rows = full_rows(block)
        if isinstance(block, Table) and rows is not None and len(rows) > min(len(block.rows), L.TABLE_ROWS - 1):
            out.append((getattr(block, "filename", "result.csv"), csv_text(block)))
    return out


async def attach_csv(client: AsyncWebClient, channel: str, thread_ts: str | None, reply: Reply) -> int:
    """Upload the reply's large results into the thread. Returns how many files were attached."""
    attached = 0
    for filename, content in attachments(reply):
        try:
            await client.files_upload_v2(
                channel=channel, thread_ts=thread_ts, content=content, filename=filename, title=filename,
                initial_comment=f"The full result as CSV ({content.count(chr(10)) - 1:,} rows).",
            )
            attached += 1
        except (SlackApiError, SlackClientError, OSError) as exc:
            reason = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            log.warning("CSV upload to %s failed: %s", channel, reason)
    return attached
