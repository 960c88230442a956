"""The composition root: the one module of the core that wires skills, adapters and services together.

Everything else in `src/qopt` stays ignorant of which skills exist and which chat platform is talking.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from qopt.bot.reply import Reply
from qopt.bot.request import Identity, Place
from qopt.bot.router import Router
from qopt.bot.skill import Services, utc_now
from qopt.config import Settings
from qopt.genie import open_genie
from qopt.policy.guard import Guard
from qopt.notify import Notifier
from qopt.state import StateStore, open_state
from qopt.warehouse.base import Warehouse


def open_warehouse(settings: Settings) -> Warehouse:
    """The configured warehouse: the embedded DuckDB file, or a Databricks SQL warehouse."""
    if settings.warehouse == "databricks":
        from qopt.warehouse.cache import CachedWarehouse
        from qopt.warehouse.databricks import DatabricksWarehouse

        return CachedWarehouse(DatabricksWarehouse.from_settings(settings), settings.result_cache_ttl_seconds)
    from qopt.warehouse.duckdb import DuckDBWarehouse

    return DuckDBWarehouse(settings.resolved_duckdb_path)


def build_services(
    settings: Settings,
    *,
    warehouse: Warehouse | None = None,
    clock: Callable[[], datetime] | None = None,
    state: StateStore | None = None,
) -> Services:
    clock = clock or utc_now
    # The state store connects on first use, so commands that never touch it (`qopt run help`) never open it.
    state = state or open_state(settings.resolved_state_url, clock=clock)
    services = Services(settings=settings, warehouse=warehouse or open_warehouse(settings), clock=clock, state=state)
    services.genie = open_genie(settings)  # None without a Genie space: `ask` answers offline
    return services


def build_router(services: Services) -> Router:
    from skills import all_skills

    router = Router(all_skills(), services, question_command="ask")
    services.extras["router"] = router
    Guard.install(router, services)  # policy, rate limits and the audit trail before/after every skill
    return router


class Bot:
    """A router with its services: what every front end (shell, Slack, Teams) talks to."""

    def __init__(
        self,
        settings: Settings,
        *,
        warehouse: Warehouse | None = None,
        clock: Callable[[], datetime] | None = None,
        state: StateStore | None = None,
    ):
        self.settings = settings
        self.services = build_services(settings, warehouse=warehouse, clock=clock, state=state)
        self.router = build_router(self.services)

    async def handle(self, text: str, user: Identity, place: Place) -> Reply:
        return await self.router.handle(text, user=user, place=place)

    async def close(self) -> None:
        await self.services.warehouse.close()
        if self.services.genie is not None:
            await self.services.genie.close()
        if self.services.state is not None:
            await self.services.state.close()


def render(reply: Reply, form: str) -> str:
    """Render a reply for the command line: text, json, or a platform's own JSON (slack, teams)."""
    if form == "slack":
        import json

        from adapters.slack.blocks import render_message

        return json.dumps(render_message(reply), ensure_ascii=False)
    if form == "teams":
        import json

        from adapters.teams.cards import render_activity

        return json.dumps(render_activity(reply), ensure_ascii=False)
    from adapters.terminal import render as render_terminal

    return render_terminal(reply, form)


async def shell(bot: Bot, as_user: str | None) -> None:
    import sys

    from adapters.terminal import local_identity, run_shell
    from qopt.bot.progress import reporting

    async def handle(text: str, user: Identity, place: Place) -> Reply:
        with reporting(lambda line: print(line, file=sys.stderr, flush=True)):  # "Genie is running the query…"
            return await bot.handle(text, user, place)

    await run_shell(handle, identity=local_identity(as_user), history_file=bot.settings.data_dir / "shell_history",
                    stdin=sys.stdin, stdout=sys.stdout)


def local_identity(as_user: str | None) -> Identity:
    from adapters.terminal import local_identity as identity

    return identity(as_user)


def build_web_app(bot: Bot, settings: Settings, *, slack_options: dict | None = None):  # -> aiohttp.web.Application
    """The one aiohttp application of `qopt serve`: health, metrics, and each chat platform whose settings are
    present. `app[STATUS_KEY]` lists, one line each, which platforms are on and which are off (and why)."""
    import adapters.slack
    from qopt.metrics import Metrics
    from qopt.server import DRAINERS_KEY, STATUS_KEY, create_web_app

    metrics = Metrics()
    bot.router.observers.append(metrics.observe)
    web_app = create_web_app(bot.services, metrics, close=bot.close)
    slack, line = adapters.slack.setup(web_app, bot, settings, **(slack_options or {}))
    web_app[STATUS_KEY].append(line)
    if slack is not None:
        web_app[DRAINERS_KEY].append(slack.drain)
    __import__("adapters.teams").teams.setup(web_app, bot, settings)  # /api/messages; reports its status line
    if settings.scheduler_enabled:
        web_app.cleanup_ctx.append(_scheduler_context(bot, settings))
    return web_app


def build_notifiers(bot: Bot) -> dict[str, Notifier]:
    """The notifiers scheduled posts go through: Slack when SLACK_BOT_TOKEN is set; Teams through the
    conversation references its adapter stores (local unauthenticated mode without QOPT_TEAMS_APP_ID)."""
    notifiers: dict[str, Notifier] = {}
    if bot.settings.slack_bot_token is not None:
        from adapters.slack.client import web_client
        from adapters.slack.notifier import SlackNotifier

        notifiers["slack"] = SlackNotifier(web_client(bot.settings))
    try:
        from adapters.teams.server import build_notifier as teams_notifier
    except ImportError:  # the Teams adapter is optional
        teams_notifier = None
    if teams_notifier is not None:
        notifiers["teams"] = teams_notifier(bot.settings, bot.services.state)
    return notifiers


def build_jobs(bot: Bot, notifiers: dict[str, Notifier] | None = None):  # -> qopt.jobs.Jobs
    """The scheduled jobs over this bot's services, for the command line (`qopt digest send`, `qopt alerts check`)."""
    from qopt.jobs import Jobs

    return Jobs(bot.services, build_notifiers(bot) if notifiers is None else notifiers)


def _scheduler_context(bot: Bot, settings: Settings):  # -> an aiohttp cleanup context
    """Start the scheduler (digests, alerts, retries; leader lease) with the server and stop it before the bot."""

    async def context(_app: object):
        import scheduler

        await scheduler.start(bot, settings, build_notifiers(bot))
        try:
            yield
        finally:
            await scheduler.stop()

    return context
