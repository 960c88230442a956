"""Scheduler test harness: stores on SQLite and PostgreSQL (tests.state.fixtures), the scenario warehouse,
and a notifier that records posts and can be told to refuse them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from qopt.app import Bot
from qopt.bot.reply import Reply
from qopt.config import Settings
from qopt.notify import Delivery
from tests.scheduler import scenario
from tests.state.fixtures import FakeClock, clock, store, store_factory  # noqa: F401 - fixtures


class RecordingNotifier:
    """A Notifier that keeps every post; `refuse(error)` makes the next posts fail until `accept()`."""

    def __init__(self, platform: str = "slack") -> None:
        self.platform = platform
        self.posts: list[tuple[str, Reply]] = []
        self.refused: list[tuple[str, str]] = []
        self._error: str | None = None
        self._retryable = True

    def refuse(self, error: str, *, retryable: bool = True) -> None:
        self._error, self._retryable = error, retryable

    def accept(self) -> None:
        self._error = None

    async def post(self, channel: str, reply: Reply) -> Delivery:
        if self._error is not None:
            self.refused.append((channel, self._error))
            return Delivery(ok=False, error=self._error, retryable=self._retryable)
        self.posts.append((channel, reply))
        return Delivery(ok=True, message_id=f"m{len(self.posts)}")

    def to(self, channel: str) -> list[Reply]:
        return [r for c, r in self.posts if c == channel]


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, timezone="UTC", slack_bot_token=None, teams_app_id=None, genie_space_id=None)


BotFactory = Callable[[], Awaitable[Bot]]


@pytest.fixture
async def make_bot(store_factory, settings, clock: FakeClock) -> BotFactory:
    """Bots (replicas) sharing one state database and the scenario warehouse, all on the injected clock."""
    bots: list[Bot] = []

    async def make(**overrides: Any) -> Bot:
        bot = Bot(settings.model_copy(update=overrides) if overrides else settings, warehouse=scenario.warehouse(),
                  clock=clock, state=await store_factory())
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.services.warehouse.close()
