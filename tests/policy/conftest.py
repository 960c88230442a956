"""Bots over the small demo warehouse with a workspace map, admins, a SQLite state store and a warehouse that
records every (sql, params) it is sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qopt.app import Bot
from qopt.bot.request import Identity, Place
from qopt.config import Settings, load_settings
from qopt.state import open_state
from qopt.warehouse.base import Result
from qopt.warehouse.duckdb import DuckDBWarehouse
from tests.conftest import DEMO_NOW

# The demo account's workspaces (qopt.demo.topology).
ANALYTICS, ENGINEERING, FINANCE = "1873420596112233", "2648811093357710", "3301957462285514"
SLACK_TEAM, OTHER_TEAM, TENANT, OTHER_TENANT = "T0SALES", "T0NOBODY", "tenant-eng", "tenant-nobody"
FINANCE_CHANNEL = "C0FINANCE"
TEAMS_CHANNEL = "19:eng-channel@thread.tacv2"
WORKSPACE_MAP = (
    f"slack:{SLACK_TEAM}={ANALYTICS}; teams:{TENANT}={ENGINEERING}; channel:{FINANCE_CHANNEL}={FINANCE}; "
    f"channel:{TEAMS_CHANNEL}={ENGINEERING},{FINANCE}"
)
ADMIN = "boss@example.com"


class RecordingWarehouse(DuckDBWarehouse):
    """The real embedded warehouse, keeping every statement and its parameters as the caller sent them."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def query(self, sql: str, params: Mapping[str, Any] | None = None, *, tag: str | None = None) -> Result:
        self.sent.append((sql, dict(params or {})))
        return await super().query(sql, params, tag=tag)


@dataclass
class Asker:
    """Requests from one chat platform, in a DM or a channel."""

    platform: str
    team_id: str | None

    def dm(self) -> Place:
        return Place(platform=self.platform, team_id=self.team_id, channel_id="D0DM" if self.platform == "slack"
                     else "a:personal-chat", thread_id="t1", is_dm=True)

    def channel(self, channel_id: str | None = None) -> Place:
        cid = channel_id or ("C0GENERAL" if self.platform == "slack" else "19:general@thread.tacv2")
        return Place(platform=self.platform, team_id=self.team_id, channel_id=cid, thread_id="t2", is_dm=False)


SLACK = Asker("slack", SLACK_TEAM)
TEAMS = Asker("teams", TENANT)


def person(email: str, platform: str = "slack") -> Identity:
    user_id = "U" + email.split("@")[0].replace(".", "").upper()[:8] if platform == "slack" else "29:" + email
    return Identity(user_id=user_id, email=email, name=email.split("@")[0])


@pytest.fixture
async def make_bot(demo_warehouse_path, tmp_path):
    """`make_bot(**settings)`: a Bot with the map and admin above unless overridden."""
    bots: list[Bot] = []

    def make(**overrides: object) -> Bot:
        values: dict[str, object] = dict(
            admins=ADMIN, workspace_map=WORKSPACE_MAP, data_dir=tmp_path,
            state_url=f"sqlite:///{tmp_path / f'state{len(bots)}.sqlite'}",
        )
        values.update(overrides)
        settings: Settings = load_settings(**values)
        bot = Bot(settings, warehouse=RecordingWarehouse(demo_warehouse_path), clock=lambda: DEMO_NOW,
                  state=open_state(settings.resolved_state_url, clock=lambda: DEMO_NOW))
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.close()


@pytest.fixture
async def bot(make_bot):
    return make_bot()


def sent(bot: Bot) -> list[tuple[str, dict[str, Any]]]:
    return bot.services.warehouse.sent  # type: ignore[attr-defined]


def texts(reply) -> str:
    """Everything a person would read in a reply: text, blocks, table cells, code."""
    import json

    return json.dumps(reply.to_json(), ensure_ascii=False, default=str)
