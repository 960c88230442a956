"""Golden replies of each skill on the small fixed-seed demo warehouse (the platform-neutral JSON).

Regenerate after an intended change with `QOPT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/skills/test_golden.py`
and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
MESSAGES = {
    "help": "help",
    "help_top": "help top",
    "top": "top --days 7 --limit 5",
    "top_duration": "top --days 7 --limit 3 --by duration",
    "top_each": "top --days 7 --limit 3 --each",
    "top_clamped": "top --days 7 --limit 0",
    "cost": "cost --days 7",
    "cost_by_user": "cost --days 7 --by user",
    "cost_by_warehouse": "cost --days 7 --by warehouse",
    "query": "query {statement_id}",
    "query_unknown": "query 00000000-0000-0000-0000-000000000000",
    "bad_number": "top --days seven",
    "unknown_word": "tpo",
}


def _slug(text: str) -> str:
    return re.sub(r"error id `[0-9a-f]+`", "error id `…`", text)


@pytest.fixture
def statement_id(raw):
    """A fixed statement of the demo data: the finished one with the most task time."""
    return raw.execute(
        "SELECT statement_id FROM query.history WHERE execution_status = 'FINISHED'"
        " ORDER BY total_task_duration_ms DESC, statement_id LIMIT 1"
    ).fetchone()[0]


@pytest.mark.parametrize("name", sorted(MESSAGES))
async def test_golden_reply(ask, name, statement_id):
    reply = await ask(MESSAGES[name].format(statement_id=statement_id))
    got = json.loads(_slug(json.dumps(reply.to_json(), ensure_ascii=False, default=str)))
    path = GOLDEN / f"{name}.json"
    if os.environ.get("QOPT_UPDATE_GOLDEN") or not path.exists():
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))
    assert got["text"] and isinstance(got["blocks"], list)
