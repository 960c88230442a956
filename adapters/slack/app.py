"""The Slack front end: a slack-bolt `AsyncApp` wired to qopt's router.

- `/qopt <text>`: acknowledged at once, answered through `response_url` (ephemeral unless `--share`), with a
  placeholder replaced in place when the answer takes longer than `slow_after` seconds.
- `app_mention` and `message.im`: answered in the thread with chat.postMessage (placeholder + chat.update when
  slow); the thread remembers its last command for follow-ups (`threads.Conversations`).
- `block_actions` on qopt's buttons: acknowledged, then the message is replaced (`--page N`: paging) or the
  answer goes in the thread (any other button: a follow-up).
- `app_home_opened`: the Home tab (`home.build_home`).
Retried events are answered once (event ids in the state store). The adapter never runs SQL: everything goes
through `handle(text, identity, place)`, i.e. `Bot.handle`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import parse_action_id, parse_actions_block_id, render_message
from adapters.slack.client import post_to_response_url, web_client
from adapters.slack.files import attach_csv
from adapters.slack.home import build_home
from adapters.slack.identity import UserDirectory
from adapters.slack.incoming import plain_text, split_share
from adapters.slack.oauth import StateInstallationStore, StateOAuthStateStore
from adapters.slack.progress import Progress, placeholder_text
from adapters.slack.threads import Conversations, thread_key
from adapters.slack.verification import SignatureCheck
from qopt.bot.parser import split_command
from qopt.bot.progress import reporting
from qopt.bot.reply import Reply
from qopt.bot.request import Identity, Place
from qopt.config import Settings

log = logging.getLogger("qopt.slack")

Handle = Callable[[str, Identity, Place], Awaitable[Reply]]

# Scopes the app asks for on install (the manifest lists the same).
BOT_SCOPES = [
    "commands", "chat:write", "app_mentions:read", "im:history", "im:read", "im:write", "users:read", "users:read.email",
    "files:write",
]
COMMAND = "/qopt"


def slack_mode(settings: Settings) -> tuple[str, str]:
    """("http" | "oauth" | "socket" | "off", why). Decides how (and whether) Slack is served."""
    has_oauth = bool(settings.slack_client_id and settings.slack_client_secret)
    if settings.slack_app_token is not None and settings.slack_bot_token is not None:
        return "socket", "Socket Mode (SLACK_APP_TOKEN)"
    if settings.slack_signing_secret is None:
        if settings.slack_bot_token is not None or has_oauth:
            return "off", "SLACK_SIGNING_SECRET is not set (or set SLACK_APP_TOKEN for Socket Mode)"
        return "off", "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set"
    if has_oauth:
        return "oauth", "multi-workspace OAuth (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET)"
    if settings.slack_bot_token is None:
        return "off", "SLACK_BOT_TOKEN is not set"
    return "http", "HTTP events with a single bot token"


class SlackAdapter:
    """Builds the bolt app and its listeners. `handle` is `Bot.handle`; `router` gives placeholders and help."""

    def __init__(
        self,
        settings: Settings,
        handle: Handle,
        *,
        router: Any,
        state: Any,
        mode: str | None = None,
        now: Callable[[], float] = time.time,
        slow_after: float = 1.0,
        home_commands: tuple[tuple[str, str], ...] | None = None,
        max_concurrent_answers: int = 8,
    ) -> None:
        self.settings = settings
        self.handle = handle
        self.router = router
        self.mode = mode or slack_mode(settings)[0]
        self.slow_after = slow_after
        self.users = UserDirectory()
        self.conversations = Conversations(state)
        self.home_commands = home_commands
        # Answers computed at once: bounds memory and the load on the warehouse; further requests queue (their
        # placeholder shows). The warehouse work of one answer already uses every core, so throughput stays.
        self._slots = asyncio.Semaphore(max_concurrent_answers)
        self._background: set[asyncio.Future[Any]] = set()
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.app = self._build_app(state, now)
        self._register()

    # -- construction -------------------------------------------------------------------------------------------

    def _build_app(self, state: Any, now: Callable[[], float]) -> AsyncApp:
        secret = self.settings.slack_signing_secret.get_secret_value() if self.settings.slack_signing_secret else ""
        self._signature = SignatureCheck(secret or "unused-in-socket-mode", now)
        common: dict[str, Any] = dict(
            name="qopt",
            signing_secret=secret or "unused-in-socket-mode",
            request_verification_enabled=False,  # replaced by SignatureCheck (injectable clock, 401 on junk)
            before_authorize=self._signature,
        )
        if self.mode == "oauth":
            oauth = AsyncOAuthSettings(
                client_id=self.settings.slack_client_id,
                client_secret=self.settings.slack_client_secret.get_secret_value(),  # type: ignore[union-attr]
                scopes=BOT_SCOPES,
                installation_store=StateInstallationStore(state),
                state_store=StateOAuthStateStore(state),
            )
            return AsyncApp(client=web_client(self.settings, token=None), oauth_settings=oauth, **common)
        return AsyncApp(client=web_client(self.settings), **common)

    def _register(self) -> None:
        app = self.app
        app.use(self._deduplicate)
        app.command(COMMAND)(self._on_command)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self._on_home)
        app.action(re.compile(r"^qopt:"))(self._on_action)

    # -- middleware -----------------------------------------------------------------------------------------------

    async def _deduplicate(self, req: Any, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        body = req.body or {}
        if body.get("type") == "event_callback":
            if not await self.conversations.first_delivery(body.get("event_id")):
                retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
                log.info("ignored a repeated event %s (retry %s)", body.get("event_id"), retry)
                return BoltResponse(status=200, body="")
        return await next()

    # -- listeners ------------------------------------------------------------------------------------------------

    async def _on_command(self, ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        with self._working():
            text, share = split_share(plain_text(command.get("text") or ""))
            channel = command.get("channel_id") or ""
            place = Place(
                platform="slack",
                team_id=command.get("team_id"),
                channel_id=channel,
                thread_id=None,
                is_dm=channel.startswith("D") or command.get("channel_name") == "directmessage",
                shared=share,  # posted in_channel: the policy decides what may be shown to everyone
            )
            identity = await self.users.identity(client, command.get("user_id") or "", command.get("team_id"))
            response_type = "in_channel" if share else "ephemeral"
            url = command.get("response_url") or ""

            async def show(line: str, first: bool) -> None:
                await _respond(url, {"text": line, "response_type": response_type, "replace_original": not first})

            progress = Progress(show, placeholder_text(self.router, text), max_updates=2)
            _, message = await self._answer_with_progress(text, identity, place, progress)
            await _respond(url, {**message, "response_type": response_type, "replace_original": progress.shown})

    async def _on_mention(self, event: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        await self._answer_in_thread(event, client, context, is_dm=False)

    async def _on_message(self, event: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        # Only direct messages from people: no edits, joins or bot posts (ours included).
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await self._answer_in_thread(event, client, context, is_dm=True)

    async def _answer_in_thread(self, event: dict[str, Any], client: AsyncWebClient, context: Any, *, is_dm: bool) -> None:
        with self._working():
            channel = event.get("channel") or ""
            thread_ts = event.get("thread_ts") or event.get("ts") or ""
            team_id = event.get("team") or getattr(context, "team_id", None)
            key = thread_key(team_id, channel, thread_ts)
            text = plain_text(event.get("text") or "")
            if event.get("thread_ts"):
                text = await self.conversations.resolve(key, text)
            place = Place(platform="slack", team_id=team_id, channel_id=channel, thread_id=thread_ts, is_dm=is_dm)
            identity = await self.users.identity(client, event.get("user") or "", team_id)
            placeholder_ts: str | None = None

            async def show(line: str, first: bool) -> None:
                nonlocal placeholder_ts
                if first:
                    posted = await _call(client.chat_postMessage, channel=channel, thread_ts=thread_ts, text=line)
                    placeholder_ts = posted.get("ts") if posted else None
                elif placeholder_ts:
                    await _call(client.chat_update, channel=channel, ts=placeholder_ts, text=line)

            progress = Progress(show, placeholder_text(self.router, text), max_updates=5)
            reply, message = await self._answer_with_progress(text, identity, place, progress)
            if placeholder_ts:
                await _call(client.chat_update, channel=channel, ts=placeholder_ts, **message)
            else:
                await _call(client.chat_postMessage, channel=channel, thread_ts=thread_ts, **message)
            await attach_csv(client, channel, thread_ts, reply)
            await self.conversations.remember(key, text, reply)

    async def _on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        with self._working():
            command = parse_action_id(action.get("action_id") or "")
            if not command:
                return
            text = f"{command} {action.get('value') or ''}".strip()
            source = parse_actions_block_id(action.get("block_id"))
            user = body.get("user") or {}
            team_id = (body.get("team") or {}).get("id") or user.get("team_id")
            container = body.get("container") or {}
            channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
            message = body.get("message") or {}
            thread_ts = message.get("thread_ts") or message.get("ts") or container.get("message_ts")
            identity = await self.users.identity(client, user.get("id") or "", team_id)
            if container.get("type") == "view":  # a Home tab button: answer in the app's DM
                place = Place(platform="slack", team_id=team_id, channel_id=user.get("id"), is_dm=True)
                reply = await self._answer(text, identity, place)
                await _call(client.chat_postMessage, channel=user.get("id") or "", **render_message(reply, source=command))
                return
            place = Place(platform="slack", team_id=team_id, channel_id=channel, thread_id=thread_ts, is_dm=channel.startswith("D"))
            reply = await self._answer(text, identity, place)
            rendered = render_message(reply, source=command)
            url = body.get("response_url")
            if is_paging(command, source, action.get("value") or ""):  # the next page replaces the message
                if url:
                    await _respond(url, {**rendered, "replace_original": True})
                elif message.get("ts"):
                    await _call(client.chat_update, channel=channel, ts=message["ts"], **rendered)
                return
            if container.get("is_ephemeral") or not message.get("ts"):
                if url:
                    await _respond(url, {**rendered, "response_type": "ephemeral", "replace_original": False})
                return
            posted = await _call(client.chat_postMessage, channel=channel, thread_ts=thread_ts, **rendered)
            if posted is None and url:  # not in the channel (a shared slash answer): fall back to the response URL
                await _respond(url, {**rendered, "response_type": "ephemeral", "replace_original": False})
            elif thread_ts:
                await self.conversations.remember(thread_key(team_id, channel, thread_ts), text, reply)

    async def _on_home(self, event: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        if event.get("tab") not in (None, "home"):
            return
        with self._working():
            user_id = event.get("user") or ""
            team_id = getattr(context, "team_id", None)
            identity = await self.users.identity(client, user_id, team_id)
            place = Place(platform="slack", team_id=team_id, channel_id=user_id, is_dm=True)
            view = await build_home(self._answer, identity, place, commands=self.home_commands)
            await _call(client.views_publish, user_id=user_id, view=view)

    # -- early acknowledgement ------------------------------------------------------------------------------

    def acks_early(self, request: Any) -> bool:
        """True for a correctly signed `/qopt` command or press of a qopt button in single-workspace HTTP mode:
        its acknowledgement is an empty 200 whatever the listener does, so the server may send it at once."""
        if self.mode != "http":
            return False
        body = request.body or {}
        is_command = body.get("command") == COMMAND and bool(body.get("response_url"))
        is_press = body.get("type") == "block_actions" and any(
            parse_action_id(a.get("action_id") or "") for a in body.get("actions") or []
        )
        if not (is_command or is_press):
            return False
        timestamp = (request.headers.get("x-slack-request-timestamp") or [""])[0]
        signature = (request.headers.get("x-slack-signature") or [""])[0]
        return self._signature.verifier.is_valid(request.raw_body, timestamp, signature)

    def dispatch_in_background(self, request: Any) -> None:
        task = asyncio.ensure_future(self._dispatch(request))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _dispatch(self, request: Any) -> None:
        with self._working():
            response = await self.app.async_dispatch(request)
            if response.status >= 300:
                log.warning("Slack request answered %s after an early acknowledgement", response.status)

    async def _answer(self, text: str, identity: Identity, place: Place) -> Reply:
        async with self._slots:
            return await self.handle(text, identity, place)

    async def _answer_with_progress(
        self, text: str, identity: Identity, place: Place, progress: Progress
    ) -> tuple[Reply, dict[str, Any]]:
        """The reply and its Block Kit; the placeholder appears only when the answer takes longer than `slow_after`."""
        with reporting(progress.report):
            work = asyncio.ensure_future(self._answer(text, identity, place))
        if not await _finishes_within(work, self.slow_after):
            await progress.start()
        reply = await work
        return reply, render_message(reply, source=split_command(text)[0] or "help")

    # -- graceful shutdown ------------------------------------------------------------------------------------

    def _working(self) -> "_InFlight":
        return _InFlight(self)

    async def drain(self, timeout: float) -> bool:
        """Wait until no answer is being computed (or `timeout` passes). True when idle."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False


class _InFlight:
    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter

    def __enter__(self) -> None:
        self.adapter._inflight += 1
        self.adapter._idle.clear()

    def __exit__(self, *exc: object) -> None:
        self.adapter._inflight -= 1
        if self.adapter._inflight == 0:
            self.adapter._idle.set()


def is_paging(command: str, source: str | None, value: str) -> bool:
    """A press that pages the message it sits on (`--page N` of the same command) replaces that message; any
    other press (Details, Optimize, Show SQL) is a follow-up and answers in the thread."""
    return command == source and "--page" in value.split()


async def _finishes_within(task: asyncio.Future[Any], seconds: float) -> bool:
    done, _ = await asyncio.wait({task}, timeout=seconds)
    return bool(done)


async def _respond(url: str, message: dict[str, Any]) -> None:
    if not url:
        return
    try:
        status = await post_to_response_url(url, message)
        if status >= 300:
            log.warning("response_url answered %s", status)
    except (SlackClientError, OSError, asyncio.TimeoutError) as exc:
        log.warning("response_url post failed: %s", type(exc).__name__)


async def _call(method: Callable[..., Awaitable[Any]], **kwargs: Any) -> dict[str, Any] | None:
    """A Web API call whose failure is logged, not raised (the listener has nobody to raise to)."""
    try:
        response = await method(**kwargs)
        return dict(response.data) if isinstance(response.data, dict) else {}
    except SlackApiError as exc:
        log.warning("Slack API error: %s", exc.response.get("error"))
    except (SlackClientError, OSError, asyncio.TimeoutError) as exc:
        log.warning("Slack API call failed: %s", type(exc).__name__)
    return None
