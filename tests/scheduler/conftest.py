"""Scheduler test harness: stores on SQLite and PostgreSQL (tests.state.fixtures), the scenario warehouse,
and a notifier that records posts and can be told to refuse them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from qopt.app import Bot
from qopt.bot.reply import Reply
from qopt.config import Settings
from qopt.notify import Delivery
from qopt.warehouse.duckdb import DuckDBWarehouse
from tests.scheduler import scenario
from tests.state.fixtures import FakeClock, clock, sqlite_store_factory, store, store_factory  # noqa: F401 - fixtures


class RecordingNotifier:
    """A Notifier that keeps every post (with the injected clock's time); `refuse(error, channel)` makes posts to
    that channel (or to all) fail until `accept()`."""

    def __init__(self, platform: str = "slack", clock: FakeClock | None = None) -> None:
        self.platform = platform
        self.clock = clock
        self.posts: list[tuple[str, Reply]] = []
        self.times: list[Any] = []
        self.refused: list[tuple[str, str]] = []
        self._refusals: dict[str | None, tuple[str, bool]] = {}

    def refuse(self, error: str, channel: str | None = None, *, retryable: bool = True) -> None:
        self._refusals[channel] = (error, retryable)

    def accept(self) -> None:
        self._refusals.clear()

    async def post(self, channel: str, reply: Reply) -> Delivery:
        refusal = self._refusals.get(channel) or self._refusals.get(None)
        if refusal is not None:
            self.refused.append((channel, refusal[0]))
            return Delivery(ok=False, error=refusal[0], retryable=refusal[1])
        self.posts.append((channel, reply))
        self.times.append(self.clock() if self.clock else None)
        return Delivery(ok=True, message_id=f"m{len(self.posts)}")

    def to(self, channel: str) -> list[Reply]:
        return [r for c, r in self.posts if c == channel]


@pytest.fixture
def notifier(clock: FakeClock) -> RecordingNotifier:
    return RecordingNotifier(clock=clock)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, timezone="UTC", slack_bot_token=None, teams_app_id=None, genie_space_id=None)


BotFactory = Callable[[], Awaitable[Bot]]


@pytest.fixture(scope="session")
def scenario_path(tmp_path_factory) -> Path:
    """The scenario warehouse, built once per run into a file that every bot opens read-only."""
    path = tmp_path_factory.mktemp("scenario") / "warehouse.duckdb"
    scenario.build(str(path)).close()
    return path


@pytest.fixture
async def make_bot(store_factory, settings, clock: FakeClock, scenario_path: Path) -> BotFactory:
    """Bots (replicas) sharing one state database and the scenario warehouse, all on the injected clock."""
    bots: list[Bot] = []

    async def make(**overrides: Any) -> Bot:
        bot = Bot(settings.model_copy(update=overrides) if overrides else settings, warehouse=DuckDBWarehouse(scenario_path),
                  clock=clock, state=await store_factory())
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.services.warehouse.close()
