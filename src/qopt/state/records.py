"""Typed tables of the scheduler on top of a StateStore: subscriptions, alert rules, firings, deliveries.

Delivery records make scheduled posts happen once: `claim_delivery` inserts a `pending` row for
(platform, channel, kind, period) before anything is posted and returns None when the row exists already (sent,
or being sent by another replica); a failed post is marked `failed` with a retry time and can be claimed again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any, Literal

from qopt.state.base import StateStore

Status = Literal["pending", "sent", "failed", "abandoned"]


@dataclass
class Subscription:
    id: int
    platform: str
    channel_id: str
    team_id: str | None
    frequency: str  # daily | weekly
    at_time: str  # HH:MM, local to `timezone`
    weekday: int  # 0 = Monday; used by weekly digests
    timezone: str
    subscriber_id: str
    subscriber_name: str | None
    created_at: float
    failures: int = 0
    last_error: str | None = None
    last_error_at: float | None = None
    failure_reported: int = 0

    @property
    def hour(self) -> int:
        return int(self.at_time.split(":")[0])

    @property
    def minute(self) -> int:
        return int(self.at_time.split(":")[1])


@dataclass
class AlertRule:
    id: int
    platform: str
    channel_id: str
    team_id: str | None
    metric: str
    op: str
    threshold: float
    scope_kind: str | None
    scope_value: str | None
    cooldown_seconds: float
    snoozed_until: float | None
    created_by: str
    created_by_name: str | None
    created_at: float


@dataclass
class Firing:
    id: int
    rule_id: int
    subject: str
    period: str
    observed: float
    fired_at: float


@dataclass
class Delivery:
    id: int
    platform: str
    channel_id: str
    kind: str
    period: str
    status: str
    attempts: int
    payload: str | None
    message_id: str | None
    error: str | None
    notify_user: str | None
    created_at: float
    updated_at: float
    next_attempt_at: float | None

    def reply_json(self) -> dict[str, Any] | None:
        return json.loads(self.payload) if self.payload else None


def _build(cls: type, row: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in row.items() if k in names})


class Records:
    """The scheduler's tables. All methods are single statements (atomic on both backends)."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    async def _rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        return await self.store.fetch(sql, params)

    # -- subscriptions ----------------------------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        platform: str,
        channel_id: str,
        team_id: str | None,
        frequency: str,
        at_time: str,
        weekday: int,
        timezone: str,
        subscriber_id: str,
        subscriber_name: str | None,
    ) -> Subscription:
        """Create or replace the channel's digest subscription (a new subscriber and schedule; errors cleared)."""
        rows = await self._rows(
            "INSERT INTO qopt_subscriptions (platform, channel_id, team_id, frequency, at_time, weekday, timezone, "
            "subscriber_id, subscriber_name, created_at) VALUES (:platform, :channel_id, :team_id, :frequency, "
            ":at_time, :weekday, :timezone, :subscriber_id, :subscriber_name, :now) "
            "ON CONFLICT (platform, channel_id) DO UPDATE SET team_id = excluded.team_id, "
            "frequency = excluded.frequency, at_time = excluded.at_time, weekday = excluded.weekday, "
            "timezone = excluded.timezone, subscriber_id = excluded.subscriber_id, "
            "subscriber_name = excluded.subscriber_name, failures = 0, last_error = NULL, last_error_at = NULL, "
            "failure_reported = 0 RETURNING *",
            platform=platform, channel_id=channel_id, team_id=team_id, frequency=frequency, at_time=at_time,
            weekday=weekday, timezone=timezone, subscriber_id=subscriber_id, subscriber_name=subscriber_name,
            now=self.store.now(),
        )  # fmt: skip
        return _build(Subscription, rows[0])

    async def subscription(self, platform: str, channel_id: str) -> Subscription | None:
        rows = await self._rows(
            "SELECT * FROM qopt_subscriptions WHERE platform = :p AND channel_id = :c", p=platform, c=channel_id
        )
        return _build(Subscription, rows[0]) if rows else None

    async def subscription_by_id(self, sub_id: int) -> Subscription | None:
        rows = await self._rows("SELECT * FROM qopt_subscriptions WHERE id = :id", id=sub_id)
        return _build(Subscription, rows[0]) if rows else None

    async def subscriptions(self) -> list[Subscription]:
        return [_build(Subscription, r) for r in await self._rows("SELECT * FROM qopt_subscriptions ORDER BY id")]

    async def unsubscribe(self, platform: str, channel_id: str) -> bool:
        rows = await self._rows(
            "DELETE FROM qopt_subscriptions WHERE platform = :p AND channel_id = :c RETURNING id",
            p=platform, c=channel_id,
        )  # fmt: skip
        return bool(rows)

    async def subscription_failed(self, sub_id: int, error: str) -> Subscription | None:
        rows = await self._rows(
            "UPDATE qopt_subscriptions SET failures = failures + 1, last_error = :error, last_error_at = :now "
            "WHERE id = :id RETURNING *",
            id=sub_id, error=error[:500], now=self.store.now(),
        )  # fmt: skip
        return _build(Subscription, rows[0]) if rows else None

    async def subscription_failure_reported(self, sub_id: int) -> bool:
        """Mark the current failure streak as reported; True only for the first caller (report once)."""
        rows = await self._rows(
            "UPDATE qopt_subscriptions SET failure_reported = 1 WHERE id = :id AND failure_reported = 0 RETURNING id",
            id=sub_id,
        )
        return bool(rows)

    async def subscription_ok(self, sub_id: int) -> None:
        await self._rows(
            "UPDATE qopt_subscriptions SET failures = 0, last_error = NULL, last_error_at = NULL, "
            "failure_reported = 0 WHERE id = :id AND failures > 0",
            id=sub_id,
        )

    # -- alert rules ------------------------------------------------------------------------------------------

    async def add_rule(
        self,
        *,
        platform: str,
        channel_id: str,
        team_id: str | None,
        metric: str,
        op: str,
        threshold: float,
        scope_kind: str | None,
        scope_value: str | None,
        cooldown_seconds: float,
        created_by: str,
        created_by_name: str | None,
    ) -> AlertRule:
        rows = await self._rows(
            "INSERT INTO qopt_alert_rules (platform, channel_id, team_id, metric, op, threshold, scope_kind, "
            "scope_value, cooldown_seconds, created_by, created_by_name, created_at) VALUES (:platform, :channel_id, "
            ":team_id, :metric, :op, :threshold, :scope_kind, :scope_value, :cooldown, :created_by, :created_by_name, "
            ":now) RETURNING *",
            platform=platform, channel_id=channel_id, team_id=team_id, metric=metric, op=op,
            threshold=float(threshold), scope_kind=scope_kind, scope_value=scope_value,
            cooldown=float(cooldown_seconds), created_by=created_by, created_by_name=created_by_name,
            now=self.store.now(),
        )  # fmt: skip
        return _build(AlertRule, rows[0])

    async def rules(self, platform: str | None = None, channel_id: str | None = None) -> list[AlertRule]:
        rows = await self._rows(
            "SELECT * FROM qopt_alert_rules WHERE (CAST(:p AS TEXT) IS NULL OR platform = :p) AND (CAST(:c AS TEXT) IS NULL OR channel_id = :c) "
            "ORDER BY id",
            p=platform, c=channel_id,
        )  # fmt: skip
        return [_build(AlertRule, r) for r in rows]

    async def rule(self, rule_id: int) -> AlertRule | None:
        rows = await self._rows("SELECT * FROM qopt_alert_rules WHERE id = :id", id=rule_id)
        return _build(AlertRule, rows[0]) if rows else None

    async def remove_rule(self, rule_id: int, platform: str, channel_id: str) -> bool:
        """Remove a rule of this channel (a rule of another channel is not touched)."""
        rows = await self._rows(
            "DELETE FROM qopt_alert_rules WHERE id = :id AND platform = :p AND channel_id = :c RETURNING id",
            id=rule_id, p=platform, c=channel_id,
        )  # fmt: skip
        return bool(rows)

    async def snooze_rule(self, rule_id: int, platform: str, channel_id: str, until: float | None) -> AlertRule | None:
        rows = await self._rows(
            "UPDATE qopt_alert_rules SET snoozed_until = :until WHERE id = :id AND platform = :p AND channel_id = :c "
            "RETURNING *",
            id=rule_id, p=platform, c=channel_id, until=until,
        )  # fmt: skip
        return _build(AlertRule, rows[0]) if rows else None

    # -- firings ----------------------------------------------------------------------------------------------

    async def last_firing(self, rule_id: int, subject: str) -> Firing | None:
        rows = await self._rows(
            "SELECT * FROM qopt_alert_firings WHERE rule_id = :r AND subject = :s ORDER BY fired_at DESC LIMIT 1",
            r=rule_id, s=subject,
        )  # fmt: skip
        return _build(Firing, rows[0]) if rows else None

    async def has_fired(self, rule_id: int, subject: str, period: str) -> bool:
        rows = await self._rows(
            "SELECT id FROM qopt_alert_firings WHERE rule_id = :r AND subject = :s AND period = :p",
            r=rule_id, s=subject, p=period,
        )  # fmt: skip
        return bool(rows)

    async def record_firing(self, rule_id: int, subject: str, period: str, observed: float) -> Firing | None:
        """Record that the rule fired for (subject, period); None when it had already fired (someone else won)."""
        rows = await self._rows(
            "INSERT INTO qopt_alert_firings (rule_id, subject, period, observed, fired_at) "
            "VALUES (:r, :s, :p, :o, :now) ON CONFLICT (rule_id, subject, period) DO NOTHING RETURNING *",
            r=rule_id, s=subject, p=period, o=float(observed), now=self.store.now(),
        )  # fmt: skip
        return _build(Firing, rows[0]) if rows else None

    async def firings_for_channel(self, platform: str, channel_id: str, since: float, until: float) -> list[tuple[AlertRule, Firing]]:
        rows = await self._rows(
            "SELECT f.id AS f_id, f.subject, f.period, f.observed, f.fired_at, r.* FROM qopt_alert_firings AS f "
            "JOIN qopt_alert_rules AS r ON r.id = f.rule_id WHERE r.platform = :p AND r.channel_id = :c "
            "AND f.fired_at >= :since AND f.fired_at <= :until ORDER BY f.fired_at, f.id",
            p=platform, c=channel_id, since=since, until=until,
        )  # fmt: skip
        out = []
        for row in rows:
            firing = Firing(row["f_id"], row["id"], row["subject"], row["period"], row["observed"], row["fired_at"])
            out.append((_build(AlertRule, row), firing))
        return out

    # -- deliveries -------------------------------------------------------------------------------------------

    async def claim_delivery(
        self, platform: str, channel_id: str, kind: str, period: str, *, payload: dict[str, Any] | None = None,
        notify_user: str | None = None, retry_now: bool = False,
    ) -> Delivery | None:
        """Record a post as pending before it is made. None: already sent, being sent, or not yet due for retry
        (`retry_now`: a failed one is due at once — an operator's explicit `qopt digest send`)."""
        now = self.store.now()
        rows = await self._rows(
            "INSERT INTO qopt_deliveries (platform, channel_id, kind, period, status, attempts, payload, notify_user, "
            "created_at, updated_at) VALUES (:p, :c, :kind, :period, 'pending', 1, :payload, :user, :now, :now) "
            "ON CONFLICT (platform, channel_id, kind, period) DO UPDATE SET status = 'pending', "
            "attempts = qopt_deliveries.attempts + 1, updated_at = excluded.updated_at, "
            "payload = coalesce(excluded.payload, qopt_deliveries.payload) "
            "WHERE qopt_deliveries.status = 'failed' AND (coalesce(qopt_deliveries.next_attempt_at, 0) <= :now OR :force = 1) "
            "RETURNING *",
            p=platform, c=channel_id, kind=kind, period=period,
            payload=json.dumps(payload, separators=(",", ":")) if payload is not None else None,
            user=notify_user, now=now, force=1 if retry_now else 0,
        )  # fmt: skip
        return _build(Delivery, rows[0]) if rows else None

    async def delivery(self, platform: str, channel_id: str, kind: str, period: str) -> Delivery | None:
        rows = await self._rows(
            "SELECT * FROM qopt_deliveries WHERE platform = :p AND channel_id = :c AND kind = :k AND period = :period",
            p=platform, c=channel_id, k=kind, period=period,
        )  # fmt: skip
        return _build(Delivery, rows[0]) if rows else None

    async def delivery_sent(self, delivery_id: int, message_id: str | None) -> None:
        await self._rows(
            "UPDATE qopt_deliveries SET status = 'sent', message_id = :m, error = NULL, next_attempt_at = NULL, "
            "updated_at = :now WHERE id = :id",
            id=delivery_id, m=message_id, now=self.store.now(),
        )  # fmt: skip

    async def delivery_failed(self, delivery_id: int, error: str, retry_at: float | None) -> None:
        """A failed post: retried from `retry_at`, or abandoned when None."""
        await self._rows(
            "UPDATE qopt_deliveries SET status = :status, error = :e, next_attempt_at = :retry, updated_at = :now "
            "WHERE id = :id",
            id=delivery_id, e=error[:500], retry=retry_at, now=self.store.now(),
            status="failed" if retry_at is not None else "abandoned",
        )  # fmt: skip

    async def due_retries(self) -> list[Delivery]:
        rows = await self._rows(
            "SELECT * FROM qopt_deliveries WHERE status = 'failed' AND next_attempt_at <= :now ORDER BY id",
            now=self.store.now(),
        )
        return [_build(Delivery, r) for r in rows]

    async def deliveries(self, platform: str, channel_id: str, kind: str | None = None, limit: int = 20) -> list[Delivery]:
        rows = await self._rows(
            "SELECT * FROM qopt_deliveries WHERE platform = :p AND channel_id = :c AND (CAST(:k AS TEXT) IS NULL OR kind = :k) "
            "ORDER BY updated_at DESC, id DESC LIMIT :limit",
            p=platform, c=channel_id, k=kind, limit=limit,
        )  # fmt: skip
        return [_build(Delivery, r) for r in rows]

    # -- housekeeping -----------------------------------------------------------------------------------------

    async def prune(self, older_than_seconds: float) -> int:
        """Forget settled deliveries and firings older than the given age (their periods are long past)."""
        before = self.store.now() - older_than_seconds
        gone = await self._rows(
            "DELETE FROM qopt_deliveries WHERE status IN ('sent', 'abandoned') AND updated_at < :before RETURNING id",
            before=before,
        )
        fired = await self._rows("DELETE FROM qopt_alert_firings WHERE fired_at < :before RETURNING id", before=before)
        return len(gone) + len(fired)
