"""The scheduler inside `qopt serve`: build_web_app starts it with the server (real APScheduler on the running
loop, leader at once when alone) and stops it before the bot closes, handing the lease back."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestServer

import scheduler
from qopt.app import Bot, build_web_app
from qopt.config import Settings
from scheduler.service import LEASE


async def test_serve_starts_and_stops_the_scheduler(tmp_path, scenario_path):
    from qopt.warehouse.duckdb import DuckDBWarehouse

    settings = Settings(data_dir=tmp_path, slack_bot_token=None, slack_signing_secret=None, teams_app_id=None,
                        genie_space_id=None)
    bot = Bot(settings, warehouse=DuckDBWarehouse(scenario_path))
    server = TestServer(build_web_app(bot, settings), host="127.0.0.1")
    await server.start_server()
    try:
        running = scheduler.current()
        assert running is not None and running.aps.running
        assert {job.id for job in running.aps.get_jobs()} >= {"lease", "subscriptions", "alerts", "retries"}

        async def leading() -> None:
            while not running.is_leader:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(leading(), 20)  # a bound, not a timing assertion: the lease job runs at start
        assert await bot.services.state.lease_holder(LEASE) == running.instance_id
    finally:
        await server.close()
    assert scheduler.current() is None
    store = Bot(settings, warehouse=DuckDBWarehouse(scenario_path)).services.state
    assert await store.lease_holder(LEASE) is None  # released on stop: another replica takes over at once
    await store.close()


async def test_scheduler_can_be_switched_off(tmp_path, scenario_path):
    from qopt.warehouse.duckdb import DuckDBWarehouse

    settings = Settings(data_dir=tmp_path, slack_bot_token=None, slack_signing_secret=None, teams_app_id=None,
                        genie_space_id=None, scheduler_enabled=False)
    bot = Bot(settings, warehouse=DuckDBWarehouse(scenario_path))
    server = TestServer(build_web_app(bot, settings), host="127.0.0.1")
    await server.start_server()
    try:
        assert scheduler.current() is None
    finally:
        await server.close()
