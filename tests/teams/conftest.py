from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import adapters.teams
from adapters.teams.connector import RetryPolicy
from adapters.teams.server import TeamsEndpoint
from qopt.app import Bot
from tests.teams.harness import FIXED_NOW, FakeConnector, empty_warehouse, make_bot, start


@dataclass
class Teams:
    """A running qopt Teams endpoint and the fake connector it answers through."""

    url: str
    service_url: str
    connector: FakeConnector
    endpoint: TeamsEndpoint
    bot: Bot
    session: aiohttp.ClientSession
    sleeps: list[float]

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        async with self.session.post(self.url + "/api/messages", json=activity, headers=headers or {}) as response:
            await response.read()
            return response


_EMPTY: dict[str, Path] = {}


def empty_warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """System tables without rows, created once a session (tests only read it).

    A plain function over the built-in `tmp_path_factory` rather than a fixture: other areas import
    `teams_factory` alone into their own tests.
    """
    key = str(tmp_path_factory.getbasetemp())
    if key not in _EMPTY:
        _EMPTY[key] = empty_warehouse(tmp_path_factory.mktemp("teams") / "empty.duckdb")
    return _EMPTY[key]


@pytest.fixture
async def teams_factory(tmp_path, tmp_path_factory) -> AsyncIterator[Callable[..., Any]]:
    """Start a Teams endpoint (and a fake connector) with the given settings and options."""
    runners: list[web.AppRunner] = []
    sessions: list[aiohttp.ClientSession] = []
    bots: list[Bot] = []

    async def factory(*, progress_after: float = 30.0, warehouse_path=None, now=FIXED_NOW,
                      validate_service_url: bool = True, **settings: Any) -> Teams:
        connector = FakeConnector(members={
            "29:1ada": {"id": "29:1ada", "name": "Ada Lovelace", "aadObjectId": "aad-ada",
                        "email": "Ada@Example.com", "userPrincipalName": "ada@example.com", "tenantId": "t"},
        })
        connector_runner, connector_url = await start(connector.app())
        runners.append(connector_runner)
        connector.url = connector_url
        bot = make_bot(tmp_path, warehouse_path or empty_warehouse_path(tmp_path_factory), now=now, **settings)
        bots.append(bot)
        sleeps: list[float] = []

        async def no_wait(seconds: float) -> None:  # record the backoff instead of sleeping through it
            sleeps.append(seconds)

        web_app = web.Application()
        endpoint = adapters.teams.setup(web_app, bot, bot.settings, host="127.0.0.1", progress_after=progress_after,
                                        validate_service_url=validate_service_url, policy=RetryPolicy(attempts=4, base_seconds=0.5, sleep=no_wait))
        runner, url = await start(web_app)
        runners.append(runner)
        session = aiohttp.ClientSession()
        sessions.append(session)
        return Teams(url=url, service_url=connector_url + "/amer/", connector=connector, endpoint=endpoint, bot=bot,
                     session=session, sleeps=sleeps)

    yield factory

    for session in sessions:
        await session.close()
    for runner in reversed(runners):
        await runner.cleanup()
    for bot in bots:
        await bot.close()


@pytest.fixture
async def teams(teams_factory) -> Teams:
    return await teams_factory()
