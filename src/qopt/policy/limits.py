"""Rate limits: a token bucket per person and one per channel, so one busy person or room cannot flood the
warehouse. Genie's own per-minute limit (`qopt.genie.queue`) is separate and still applies to questions.

A bucket holds up to `burst` tokens and refills at `per_minute / 60` tokens a second; a request takes one token from
the person's bucket and one from the channel's (both must have one, or neither is taken). `per_minute = 0` turns a
limit off. Buckets live in this process (each replica limits on its own); idle full buckets are forgotten.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from qopt.bot.request import Identity, Place
from qopt.config import Settings

MAX_BUCKETS = 50_000


@dataclass
class Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """Named token buckets of one size and rate."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float]) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _refilled(self, key: str) -> Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + max(0.0, now - bucket.updated) * self.rate)
            bucket.updated = now
        self._buckets[key] = bucket
        self._buckets.move_to_end(key)
        while len(self._buckets) > MAX_BUCKETS:
            self._buckets.popitem(last=False)
        return bucket

    def wait_seconds(self, key: str) -> float:
        """0 when a token is available now, else the seconds until one is."""
        if not self.enabled:
            return 0.0
        bucket = self._refilled(key)
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / self.rate

    def take(self, key: str) -> None:
        if self.enabled:
            self._refilled(key).tokens -= 1


@dataclass(frozen=True)
class Limited:
    """A refused request: whose limit, and when to try again."""

    who: str  # "person" | "channel"
    retry_after: float

    def message(self) -> str:
        wait = max(1, math.ceil(self.retry_after))
        span = f"{wait} second{'s' if wait != 1 else ''}" if wait < 120 else f"{math.ceil(wait / 60)} minutes"
        if self.who == "channel":
            return f"This channel is asking me a lot right now — please try again in {span}."
        return f"You're asking me a lot right now — please try again in {span}. (Limits keep the warehouse fair for everyone.)"


class RateLimiter:
    """Per-person and per-channel limits from the settings (`QOPT_USER_*`, `QOPT_CHANNEL_*`)."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.people = TokenBuckets(settings.user_requests_per_minute, settings.user_burst, clock)
        self.channels = TokenBuckets(settings.channel_requests_per_minute, settings.channel_burst, clock)

    def check(self, user: Identity, place: Place) -> Limited | None:
        """Take a token from both buckets, or none and say which limit was hit."""
        person = f"{place.platform}:{place.team_id or '-'}:{(user.email or user.user_id).lower()}"
        channel = f"{place.platform}:{place.team_id or '-'}:{place.channel_id or '-'}"
        waits = [("person", self.people.wait_seconds(person))]
        if not place.is_dm:  # a DM is one person's channel: the person's limit covers it
            waits.append(("channel", self.channels.wait_seconds(channel)))
        blocked = [(who, wait) for who, wait in waits if wait > 0]
        if blocked:
            who, wait = max(blocked, key=lambda x: x[1])
            return Limited(who, wait)
        self.people.take(person)
        if not place.is_dm:
            self.channels.take(channel)
        return None
