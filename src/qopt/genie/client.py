"""Genie on Databricks: the Conversation API through `databricks-sdk`, with qopt's own polling.

The SDK is synchronous, so every call runs in a small thread pool. The SDK's `*_and_wait` helpers are not used:
they return only on COMPLETED and keep polling CANCELLED or QUERY_RESULT_EXPIRED until their own timeout. Here
polling backs off from 1 to 5 seconds, reports each new status as progress, stops at the overall timeout, and
treats FAILED, CANCELLED and expired results explicitly (an expired result is re-run with execute-query).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from qopt.bot import format as fmt
from qopt.genie.base import (
    STATUS_TEXT,
    GenieAnswer,
    GenieCancelled,
    GenieError,
    GenieFailed,
    GenieTimeout,
    Progress,
    Rating,
    SpaceInfo,
)
from qopt.genie.queue import QuestionQueue
from qopt.warehouse.types import convert_rows, type_name_of
from qopt.workspace import sdk_error, workspace_client

log = logging.getLogger("qopt.genie")

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class GenieNotFound(GenieError):
    """The space, conversation or message does not exist (or is not visible to qopt's identity)."""


def _status(message: Any) -> str:
    status = getattr(message, "status", None)
    return str(getattr(status, "value", status) or "SUBMITTED")


def _state(statement: Any) -> str | None:
    status = getattr(statement, "status", None)
    state = getattr(status, "state", None)
    return None if state is None else str(getattr(state, "value", state))


async def _report(progress: Progress | None, text: str) -> None:
    if progress is None or not text:
        return
    try:
        result = progress(text)
        if inspect.isawaitable(result):
            await result
    except Exception:  # noqa: BLE001 - a failing progress update must not lose the answer
        log.warning("progress callback failed", exc_info=True)


def queued_text(place: int, wait_seconds: float, per_minute: int) -> str:
    wait = f"about {fmt.duration(wait_seconds * 1000)}" if wait_seconds >= 1 else "a moment"
    return (
        f"Genie takes about {per_minute} questions a minute; yours is number {place} in line "
        f"(sent in {wait}). It will not be dropped."
    )


class DatabricksGenie:
    """The `Genie` protocol over the Databricks Conversation API."""

    def __init__(
        self,
        settings: Any,
        *,
        client_factory: Callable[[], Any] | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        queue: QuestionQueue | None = None,
    ) -> None:
        self.settings = settings
        self.timeout = float(settings.genie_timeout_seconds)
        self.poll_min = float(settings.genie_poll_min_seconds)
        self.poll_max = max(float(settings.genie_poll_max_seconds), self.poll_min)
        self.clock = clock
        self.sleep = sleep
        self.queue = queue or QuestionQueue(settings.genie_questions_per_minute, clock=clock, sleep=sleep)
        self._factory = client_factory or (lambda: workspace_client(settings))  # qopt.workspace: one way to connect
        self._client: Any = None
        self._client_lock = asyncio.Lock()
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="qopt-genie")

    # -- plumbing ----------------------------------------------------------------------------------------------

    async def _api(self) -> Any:
        if self._client is None:
            async with self._client_lock:
                if self._client is None:
                    loop = asyncio.get_running_loop()
                    self._client = await loop.run_in_executor(self._executor, self._factory)
        return self._client.genie

    async def _call(self, fn: Callable[[Any], T]) -> T:
        """Run `fn(genie_api)` in the thread pool; SDK errors become GenieErrors with a chat-safe message."""
        api = await self._api()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, functools.partial(fn, api))
        except GenieError:
            raise
        except Exception as exc:  # noqa: BLE001 - mapped to one clear line below
            raise _map_error(exc) from None

    # -- the protocol ------------------------------------------------------------------------------------------

    async def ask(
        self,
        space_id: str,
        question: str,
        *,
        conversation_id: str | None = None,
        progress: Progress | None = None,
    ) -> GenieAnswer:
        per_minute = self.queue.per_minute

        async def on_queued(place: int, wait: float) -> None:
            await _report(progress, queued_text(place, wait, per_minute))

        restarted = False
        first: Any = None
        async with self.queue.slot(on_queued) as ahead:
            deadline = self.clock() + self.timeout
            if conversation_id:
                try:
                    first = await self._call(lambda g: g.create_message(space_id, conversation_id, question).response)
                    message_id = first.message_id
                except GenieNotFound:
                    log.info("Genie conversation %s is gone; starting a new one", conversation_id)
                    restarted, conversation_id = True, None
                    await self.queue.admit()  # the new conversation is one more question
            new_conversation = not conversation_id
            if not conversation_id:
                started = await self._call(lambda g: g.start_conversation(space_id, question).response)
                conversation_id, message_id, first = started.conversation_id, started.message_id, started.message
        await _report(progress, STATUS_TEXT["SUBMITTED"])
        message = await self._wait(space_id, conversation_id, message_id, deadline, progress, first)
        answer = await self._build(message, space_id, conversation_id, message_id, deadline, progress)
        answer.new_conversation, answer.restarted, answer.queued_behind = new_conversation, restarted, ahead
        return answer

    async def answer(
        self, space_id: str, conversation_id: str, message_id: str, *, with_result: bool = True
    ) -> GenieAnswer:
        deadline = self.clock() + self.timeout
        message = await self._wait(space_id, conversation_id, message_id, deadline, None, None)
        return await self._build(message, space_id, conversation_id, message_id, deadline, None, with_result)

    async def feedback(self, space_id: str, conversation_id: str, message_id: str, rating: Rating) -> None:
        from databricks.sdk.service.dashboards import GenieFeedbackRating

        value = GenieFeedbackRating(rating.upper())
        await self._call(lambda g: g.send_message_feedback(space_id, conversation_id, message_id, value))

    async def list_spaces(self) -> list[SpaceInfo]:
        spaces: list[SpaceInfo] = []
        token: str | None = None
        for _ in range(50):  # pages; a workspace with more than 50 pages of spaces is not expected
            page = await self._call(lambda g: g.list_spaces(page_token=token))
            for s in page.spaces or []:
                spaces.append(SpaceInfo(s.space_id, s.title or s.space_id, s.description or "", s.warehouse_id))
            token = page.next_page_token
            if not token:
                break
        return spaces

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # -- polling -----------------------------------------------------------------------------------------------

    async def _pause(self, delay: float, deadline: float, what: str) -> float:
        """Sleep `delay` (capped at the deadline); raise GenieTimeout once the deadline has passed."""
        remaining = deadline - self.clock()
        if remaining <= 0:
            minutes = fmt.duration(self.timeout * 1000)
            raise GenieTimeout(
                f"Genie did not {what} within {minutes}. The conversation is kept: ask again in this thread, "
                "or open the space in Databricks."
            )
        await self.sleep(min(delay, remaining))
        return min(delay * 1.5, self.poll_max)

    async def _wait(
        self, space_id: str, conversation_id: str, message_id: str, deadline: float, progress: Progress | None, first: Any
    ) -> Any:
        delay, last, message = self.poll_min, None, first
        while True:
            if message is None:
                message = await self._call(lambda g: g.get_message(space_id, conversation_id, message_id))
            status = _status(message)
            if status != last:
                last = status
                if status != "SUBMITTED":
                    await _report(progress, STATUS_TEXT.get(status, ""))
            if status in ("COMPLETED", "QUERY_RESULT_EXPIRED"):
                return message
            if status == "FAILED":
                error = getattr(getattr(message, "error", None), "error", None) or "no reason given"
                raise GenieFailed(f"Genie could not answer this question: {_one_line(error)}")
            if status == "CANCELLED":
                raise GenieCancelled("The question was cancelled in Genie before it was answered. Ask it again.")
            delay = await self._pause(delay, deadline, "answer")
            message = None

    async def _statement(
        self, space_id: str, conversation_id: str, message_id: str, attachment_id: str, expired: bool,
        deadline: float, progress: Progress | None,
    ) -> Any:
        """The attachment's StatementResponse once it succeeded; an expired result is executed again."""

        def fetch(g: Any) -> Any:
            return g.get_message_attachment_query_result(space_id, conversation_id, message_id, attachment_id)

        def execute(g: Any) -> Any:
            return g.execute_message_attachment_query(space_id, conversation_id, message_id, attachment_id)

        async def rerun() -> Any:
            await _report(progress, "The stored result expired; Genie is running the query again…")
            await self._call(execute)
            return await self._call(fetch)

        reran = False
        if expired:
            response, reran = await rerun(), True
        else:
            try:
                response = await self._call(fetch)
            except GenieError as exc:
                if "expire" not in str(exc).lower():
                    raise
                response, reran = await rerun(), True
        delay = self.poll_min
        while True:
            statement = getattr(response, "statement_response", None)
            state = _state(statement)
            if statement is not None and (state == "SUCCEEDED" or (state is None and statement.manifest)):
                return statement
            if state == "FAILED":
                error = getattr(getattr(statement.status, "error", None), "message", None) or "no reason given"
                raise GenieFailed(f"Genie's query failed on the warehouse: {_one_line(error)}")
            if state in ("CLOSED", "CANCELED") or statement is None:
                if reran:
                    raise GenieError("Genie's query result is no longer available, and running it again did not work.")
                response, reran = await rerun(), True
                continue
            delay = await self._pause(delay, deadline, "finish the query")
            response = await self._call(fetch)

    async def _build(
        self, message: Any, space_id: str, conversation_id: str, message_id: str, deadline: float,
        progress: Progress | None, with_result: bool = True,
    ) -> GenieAnswer:
        answer = GenieAnswer(space_id=space_id, conversation_id=conversation_id, message_id=message_id,
                             status=_status(message))
        texts: list[str] = []
        query: Any = None
        for attachment in getattr(message, "attachments", None) or []:
            if attachment.text is not None and attachment.text.content:
                texts.append(attachment.text.content.strip())
            if attachment.query is not None and query is None:
                query, answer.attachment_id = attachment.query, attachment.attachment_id
            if attachment.suggested_questions is not None:
                answer.suggested_questions += [q for q in attachment.suggested_questions.questions or [] if q]
        answer.text = "\n\n".join(t for t in texts if t)
        if query is not None:
            answer.sql, answer.sql_title, answer.sql_description = query.query, query.title, query.description
            meta = query.query_result_metadata
            if meta is not None:
                answer.total_rows, answer.truncated = meta.row_count, bool(meta.is_truncated)
            if answer.attachment_id and with_result:
                expired = answer.status == "QUERY_RESULT_EXPIRED"
                statement = await self._statement(
                    space_id, conversation_id, message_id, answer.attachment_id, expired, deadline, progress
                )
                _fill_table(answer, statement)
        if not answer.text and answer.sql_description:
            answer.text = answer.sql_description
        return answer


def _fill_table(answer: GenieAnswer, statement: Any) -> None:
    manifest = statement.manifest
    columns = (manifest.schema.columns if manifest and manifest.schema else None) or []
    columns = sorted(columns, key=lambda c: c.position if c.position is not None else 0)
    answer.columns = [c.name or f"col{i + 1}" for i, c in enumerate(columns)]
    answer.types = [type_name_of(c) for c in columns]
    data = statement.result.data_array if statement.result else None
    answer.rows = convert_rows(answer.types, data)
    if manifest is not None and manifest.total_row_count is not None:
        answer.total_rows = manifest.total_row_count
    if answer.total_rows is None:
        answer.total_rows = len(answer.rows)
    answer.truncated = answer.truncated or bool(manifest and manifest.truncated)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _map_error(exc: Exception) -> GenieError:
    from databricks.sdk import errors

    message = _one_line(str(exc) or type(exc).__name__)
    if isinstance(exc, errors.Unauthenticated):
        return GenieError("Databricks refused qopt's credentials for Genie (check DATABRICKS_TOKEN or the OAuth client).")
    if isinstance(exc, errors.PermissionDenied):
        return GenieError(f"qopt may not use this Genie space (it needs CAN RUN on the space): {message}")
    if isinstance(exc, errors.NotFound):
        return GenieNotFound(f"Genie could not find that space or conversation (check QOPT_GENIE_SPACE_ID): {message}")
    if isinstance(exc, errors.TooManyRequests):
        return GenieError("Genie is rate-limiting this workspace right now; ask again in a minute.")
    generic = sdk_error(exc, what="Genie")  # connection problems, timeouts, other API errors: one clear line
    return generic if isinstance(generic, GenieError) else GenieError(str(generic))
