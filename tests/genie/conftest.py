"""Fixtures: the Genie emulator on 127.0.0.1, a fake clock, and bots wired to the real SDK client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import duckdb
import pytest
from aiohttp import web

from qopt.app import Bot
from qopt.config import Settings, load_settings
from qopt.genie.client import DatabricksGenie
from qopt.state import open_state
from qopt.warehouse.duckdb import DuckDBWarehouse
from tests.genie.emulator import TOKEN, FakeTime, GenieEmulator


@pytest.fixture(autouse=True)
def _isolated_sdk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The SDK must not read a developer's ~/.databrickscfg or DATABRICKS_* variables."""
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-such-databrickscfg"))
    for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET",
                 "QOPT_GENIE_SPACE_ID", "QOPT_GENIE_SPACES", "DATABRICKS_AUTH_TYPE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def emulator(fake_time: FakeTime) -> GenieEmulator:
    return GenieEmulator(clock=fake_time)


@pytest.fixture
async def genie_url(emulator: GenieEmulator) -> AsyncIterator[str]:
    runner = web.AppRunner(emulator.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
def make_settings(genie_url: str, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = dict(
            databricks_host=genie_url, databricks_token=TOKEN, genie_space_id="space1", data_dir=tmp_path,
            databricks_retry_timeout_seconds=5, state_url=f"sqlite:///{tmp_path / 'state.sqlite'}",
        )
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def make_genie(make_settings: Callable[..., Settings], fake_time: FakeTime) -> Callable[..., DatabricksGenie]:
    def make(settings: Settings | None = None, **overrides: object) -> DatabricksGenie:
        return DatabricksGenie(settings or make_settings(**overrides), clock=fake_time, sleep=fake_time.sleep)

    return make


@pytest.fixture
async def make_bot(
    make_settings: Callable[..., Settings], make_genie: Callable[..., DatabricksGenie]
) -> AsyncIterator[Callable[..., Bot]]:
    """Bots with the real SDK client against the emulator, a throw-away warehouse and a SQLite state file."""
    bots: list[Bot] = []

    def make(**overrides: object) -> Bot:
        settings = make_settings(**overrides)
        warehouse = DuckDBWarehouse.from_connection(duckdb.connect())
        bot = Bot(settings, warehouse=warehouse, state=open_state(settings.resolved_state_url))
        assert bot.services.genie is not None  # a space is configured
        bot.services.genie = make_genie(settings)  # the same client, on the fake clock
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.close()


# The Teams adapter's own harness (a running /api/messages endpoint and a fake connector), reused as is.
from tests.teams.conftest import teams_factory  # noqa: E402,F401


@pytest.fixture(scope="session")
def recent_demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo warehouse whose history ends today, for views that look back from now."""
    from datetime import datetime, timezone

    from qopt.demo.generator import generate

    path = tmp_path_factory.mktemp("genie-demo") / "warehouse.duckdb"
    generate(path, days=10, queries=1500, seed=11, end=datetime.now(timezone.utc).date())
    return path
