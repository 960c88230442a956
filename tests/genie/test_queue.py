"""The rate-limit line: a burst of 12 questions, all answered, in order, never more than the limit a minute."""

from __future__ import annotations

import asyncio

from qopt.bot import progress
from qopt.bot.reply import Text
from qopt.bot.request import Identity, Place
from qopt.genie.queue import QuestionQueue
from tests.genie.emulator import FakeTime

LIMIT = 5


def at_most_per_minute(times: list[float], limit: int) -> bool:
    """An independent check: any `limit + 1` consecutive sends span at least 60 seconds."""
    times = sorted(times)
    return all(times[i + limit] - times[i] >= 60 for i in range(len(times) - limit))


async def test_burst_of_12_through_the_client(make_genie, emulator, fake_time):
    genie = make_genie()
    told: dict[int, list[str]] = {i: [] for i in range(12)}

    async def one(i: int):
        return await genie.ask("space1", f"question {i}", progress=told[i].append)

    answers = await asyncio.gather(*(one(i) for i in range(12)))
    await genie.close()
    # All answered, each with its own answer.
    assert [a.text.split(" (message")[0] for a in answers] == [f"Here is the answer to: question {i}" for i in range(12)]
    # Sent to Genie in the order asked.
    assert [q[2] for q in emulator.questions] == [f"question {i}" for i in range(12)]
    # Never more than the limit in any minute (timestamps from the emulator's side, on the fake clock).
    times = [q[0] for q in emulator.questions]
    assert at_most_per_minute(times, LIMIT)
    assert times[LIMIT] - times[0] >= 60  # the sixth really waited
    # The first five went at once; the others were told their place in line.
    assert all(a.queued_behind == 0 for a in answers[:LIMIT])
    assert not any("in line" in line for i in range(LIMIT) for line in told[i])
    assert any("yours is number 1 in line" in line for line in told[LIMIT])
    assert any("yours is number 7 in line" in line for line in told[11])
    assert [a.queued_behind for a in answers[LIMIT:]] == list(range(1, 8))


async def test_burst_of_12_through_the_bot_in_separate_threads(make_bot, emulator):
    bot = make_bot()
    seen: dict[int, list[str]] = {i: [] for i in range(12)}

    async def one(i: int):
        with progress.reporting(seen[i].append):
            user = Identity(user_id=f"U{i}", email=f"user{i}@example.com")  # a burst from many people
            return await bot.handle(f"ask question {i}", user, Place(platform="slack", channel_id="C", thread_id=f"t{i}"))

    replies = await asyncio.gather(*(one(i) for i in range(12)))
    assert all(r.ok for r in replies), [r.text for r in replies if not r.ok]
    for i, reply in enumerate(replies):
        assert reply.blocks[0].text.startswith(f"Here is the answer to: question {i} ")
        assert isinstance(reply.blocks[0], Text)
    assert sorted(q[2] for q in emulator.questions) == sorted(f"question {i}" for i in range(12))
    assert at_most_per_minute([q[0] for q in emulator.questions], LIMIT)
    queued = [i for i in range(12) if any("in line" in s for s in seen[i])]
    assert len(queued) == 12 - LIMIT


async def test_queue_is_fifo_and_sliding():
    clock = FakeTime(0.0)
    queue = QuestionQueue(2, clock=clock, sleep=clock.sleep)
    order: list[int] = []

    async def take(i: int) -> None:
        await queue.acquire()
        order.append(i)

    await asyncio.gather(*(take(i) for i in range(5)))
    assert order == [0, 1, 2, 3, 4]
    assert queue.admitted == [0.0, 0.0, 60.0, 60.0, 120.0]
    clock.now = 500.0
    assert await queue.acquire() == 0 and queue.admitted[-1] == 500.0


async def test_estimate_of_the_wait():
    clock = FakeTime(0.0)
    queue = QuestionQueue(5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        await queue.acquire()
    clock.now = 20.0
    assert queue.estimate(1) == 40.0  # the first slot frees at 60 s
    assert queue.estimate(6) == 100.0  # one full minute later
