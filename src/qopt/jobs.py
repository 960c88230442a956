"""The scheduled jobs — send a digest, check the alerts, retry failed posts — as one code path for the
scheduler (`scheduler/`) and the command line (`qopt digest send`, `qopt alerts check`).

Exactly once: every post is first recorded as a pending delivery (`channel, kind, period`); a delivery that
exists already is never posted again. A post the chat platform refuses (bot not invited, Teams reference missing)
is marked failed and retried with back-off; the subscription or rule is kept, and whoever set it up hears about it
once per failure streak.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from qopt import alerting, policy
from qopt.bot.reply import Reply
from qopt.bot.request import Place
from qopt.bot.skill import Services
from qopt.digest import FiredAlert, compute_digest, digest_reply
from qopt.notify import Delivery as Posted
from qopt.notify import Notifier
from qopt.state.records import Delivery, Records, Subscription

log = logging.getLogger("qopt.jobs")

Status = Literal["sent", "already_sent", "in_progress", "failed", "retry_later", "no_notifier"]
FAILURE_REPORTS = "scheduler.failure_reports"  # kv namespace: one report per channel and day of failures


@dataclass
class Outcome:
    status: Status
    platform: str
    channel: str
    kind: str
    period: str
    message: str
    delivery: Delivery | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("sent", "already_sent", "in_progress")


def digest_period(day: date, frequency: str) -> str:
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def digest_trigger(sub: Subscription) -> CronTrigger:
    """Fires at the subscription's local time in its own zone. Across DST changes a cron time can fall in the gap
    (APScheduler then fires an hour later) or the overlap (fires twice): the period key — the local date — makes
    that one post."""
    return CronTrigger(
        hour=sub.hour,
        minute=sub.minute,
        day_of_week=WEEKDAYS[sub.weekday] if sub.frequency == "weekly" else "*",
        timezone=ZoneInfo(sub.timezone),
    )


def next_digest_time(sub: Subscription, now: datetime) -> datetime | None:
    return digest_trigger(sub).get_next_fire_time(None, now)


def due_digest_time(sub: Subscription, now: datetime, grace_seconds: float) -> datetime | None:
    """The subscription's fire time in the last `grace_seconds` (None when there is none): the digest that is due
    now — after a restart, or when a new leader takes over just after the time."""
    fire = digest_trigger(sub).get_next_fire_time(None, now - timedelta(seconds=grace_seconds))
    return fire if fire is not None and fire <= now else None


def local_date(moment: datetime, zone: str) -> date:
    """The date of `moment` in `zone` (via UTC, so a wall time in a DST gap is normalised first)."""
    return moment.astimezone(timezone.utc).astimezone(ZoneInfo(zone)).date()


class Jobs:
    """Digest, alert and retry jobs over the services of a Bot and the platforms' notifiers."""

    def __init__(
        self,
        services: Services,
        notifiers: Mapping[str, Notifier],
        *,
        retry_base_seconds: float = 300.0,
        retry_max_seconds: float = 7200.0,
        max_attempts: int = 8,
    ) -> None:
        self.services = services
        self.notifiers = dict(notifiers)
        self.records = Records(services.state)
        self.retry_base_seconds = retry_base_seconds
        self.retry_max_seconds = retry_max_seconds
        self.max_attempts = max_attempts

    def now(self) -> datetime:
        return self.services.clock()

    # -- delivering once ----------------------------------------------------------------------------------------

    async def deliver(
        self, platform: str, channel: str, kind: str, period: str, reply: Reply | None, *,
        notify_user: str | None = None, what: str = "message", retry_now: bool = False,
    ) -> Outcome:
        """Post `reply` unless this (channel, kind, period) was delivered already. `reply=None`: a stored retry."""
        notifier = self.notifiers.get(platform)
        if notifier is None:
            return Outcome("no_notifier", platform, channel, kind, period, f"{platform} is not configured, so I cannot post there.")
        payload = reply.to_json() if reply is not None else None
        claimed = await self.records.claim_delivery(
            platform, channel, kind, period, payload=payload, notify_user=notify_user, retry_now=retry_now
        )
        if claimed is None:
            return self._not_claimed(await self.records.delivery(platform, channel, kind, period), platform, channel, kind, period, what)
        message = reply or Reply.model_validate(claimed.reply_json() or {"text": ""})
        try:
            posted = await notifier.post(channel, message)
        except Exception as exc:  # noqa: BLE001 - a notifier should not raise; if it does, it is a failed post
            log.exception("notifier %s raised", platform)
            posted = Posted(ok=False, error=f"{type(exc).__name__}: {exc}")
        if posted.ok:
            await self.records.delivery_sent(claimed.id, posted.message_id)
            await self._succeeded(platform, channel, kind)
            return Outcome("sent", platform, channel, kind, period, f"Posted the {what} to {channel}.", claimed)
        error = posted.error or "the platform refused the post"
        retry_at = None
        if claimed.attempts < self.max_attempts:
            # A refusal that needs a person (bot not invited, no Teams reference) is retried too, but slowly.
            delay = min(self.retry_base_seconds * 2 ** (claimed.attempts - 1), self.retry_max_seconds)
            if not posted.retryable:
                delay = max(delay, self.retry_max_seconds)
            retry_at = self.now().timestamp() + delay
        await self.records.delivery_failed(claimed.id, error, retry_at)
        await self._failed(platform, channel, kind, error, claimed.notify_user or notify_user, what, retry_at)
        when = f"I will retry at {datetime.fromtimestamp(retry_at, timezone.utc):%Y-%m-%d %H:%M} UTC" if retry_at else "I gave up"
        return Outcome("failed", platform, channel, kind, period, f"Could not post the {what} to {channel}: {error}. {when}.", claimed)

    def _not_claimed(self, existing: Delivery | None, platform: str, channel: str, kind: str, period: str, what: str) -> Outcome:
        if existing is not None and existing.status == "sent":
            return Outcome("already_sent", platform, channel, kind, period,
                           f"The {what} for {period} was already posted to {channel}; not posting it again.", existing)
        if existing is not None and existing.status == "failed":
            at = datetime.fromtimestamp(existing.next_attempt_at or 0, timezone.utc)
            return Outcome("retry_later", platform, channel, kind, period,
                           f"The {what} for {period} failed ({existing.error}); the next attempt is due {at:%Y-%m-%d %H:%M} UTC.",
                           existing)
        if existing is not None and existing.status == "abandoned":
            return Outcome("failed", platform, channel, kind, period,
                           f"The {what} for {period} could not be posted ({existing.error}); I gave up.", existing)
        return Outcome("in_progress", platform, channel, kind, period,
                       f"The {what} for {period} is being posted to {channel} by another run; not posting it twice.", existing)

    async def _succeeded(self, platform: str, channel: str, kind: str) -> None:
        await self.services.state.kv_delete(FAILURE_REPORTS, f"{platform}:{channel}")
        if kind == "digest":
            sub = await self.records.subscription(platform, channel)
            if sub is not None:
                await self.records.subscription_ok(sub.id)

    async def _failed(
        self, platform: str, channel: str, kind: str, error: str, user: str | None, what: str, retry_at: float | None
    ) -> None:
        if kind == "digest":
            sub = await self.records.subscription(platform, channel)
            if sub is not None:
                await self.records.subscription_failed(sub.id, error)
        if not user:
            return
        # Tell whoever set it up, once a day per channel, and keep the subscription or rule.
        first = await self.services.state.kv_put_if_absent(
            FAILURE_REPORTS, f"{platform}:{channel}", {"error": error[:300]}, ttl_seconds=86400
        )
        if not first:
            return
        later = "I will keep retrying" if retry_at else "I gave up on this one, but will try the next one"
        text = (f"I could not post the {what} you set up in channel {channel}: {error}. Your subscription and rules are "
                f"kept and {later}. If the bot is not in that channel, invite it (Slack: `/invite @qopt`; Teams: add "
                f"the app to the team).")
        notifier = self.notifiers.get(platform)
        try:
            result = await notifier.post(user, Reply.message(text, ok=False)) if notifier else None
            if result is not None and not result.ok:
                log.warning("could not tell %s about a failed post: %s", user, result.error)
        except Exception:  # noqa: BLE001
            log.exception("could not report a failed post")

    # -- digests ------------------------------------------------------------------------------------------------

    async def send_digest(
        self, platform: str, channel: str, day: date | None = None, *, frequency: str | None = None,
        retry_now: bool = False,
    ) -> Outcome:
        """Compute and post the digest of `day` (default: today in the subscription's time zone) once.
        `retry_now`: a failed earlier attempt is retried at once instead of at its back-off time."""
        sub = await self.records.subscription(platform, channel)
        frequency = frequency or (sub.frequency if sub else "daily")
        zone = sub.timezone if sub else self.services.settings.timezone
        day = day or local_today(self.now(), zone)
        period = digest_period(day, frequency)
        what = f"{frequency} digest"
        existing = await self.records.delivery(platform, channel, "digest", period)
        if existing is not None and existing.status in ("sent", "pending"):
            return self._not_claimed(existing, platform, channel, "digest", period, what)
        if platform not in self.notifiers:
            return Outcome("no_notifier", platform, channel, "digest", period, f"{platform} is not configured, so I cannot post there.")
        reply = await self.digest_reply(platform, channel, day, frequency, team_id=sub.team_id if sub else None)
        return await self.deliver(platform, channel, "digest", period, reply,
                                  notify_user=sub.subscriber_id if sub else None, what=what, retry_now=retry_now)

    async def digest_reply(
        self, platform: str, channel: str, day: date, frequency: str, *, team_id: str | None = None
    ) -> Reply:
        # What the channel may see (QOPT_WORKSPACE_MAP): its workspaces only, never statement text.
        access = policy.for_channel(Place(platform=platform, team_id=team_id, channel_id=channel), self.services.settings)
        if not access.mapped:
            return Reply.message(policy.unmapped_message(access.place), ok=False)
        data = await compute_digest(self.services.warehouse, day, frequency=frequency, settings=self.services.settings,
                                    workspaces=access.workspaces)
        until = self.now().timestamp()
        since = until - 86400 * data.days
        for rule, firing in await self.records.firings_for_channel(platform, channel, since, until):
            unit = alerting.METRICS[rule.metric].unit
            data.alerts.append(FiredAlert(rule.id, alerting.describe_rule(rule), alerting.describe_subject(rule, firing.subject),
                                          alerting.show_value(unit, firing.observed), firing.period))
        return digest_reply(data)

    async def digest_if_due(self, sub_id: int, grace_seconds: float = 1800.0) -> Outcome | None:
        """The scheduler's digest job: post the digest of the subscription's latest fire time (its cron trigger
        decided when); the digest's date is the local date of that fire time."""
        sub = await self.records.subscription_by_id(sub_id)
        if sub is None:
            return None
        fire = due_digest_time(sub, self.now(), grace_seconds) or self.now()
        return await self.send_digest(sub.platform, sub.channel_id, local_date(fire, sub.timezone))

    async def catch_up(self, grace_seconds: float) -> list[Outcome]:
        """Post every digest whose time passed less than `grace_seconds` ago and that has no delivery yet
        (the process was down at that time, or the replica that led then died)."""
        outcomes = []
        now = self.now()
        for sub in await self.records.subscriptions():
            fire = due_digest_time(sub, now, grace_seconds)
            if fire is None:
                continue
            day = local_date(fire, sub.timezone)
            if await self.records.delivery(sub.platform, sub.channel_id, "digest", digest_period(day, sub.frequency)):
                continue
            outcomes.append(await self.send_digest(sub.platform, sub.channel_id, day))
        return outcomes

    # -- alerts -------------------------------------------------------------------------------------------------

    async def check_alerts(self) -> list[Outcome]:
        """Evaluate every rule; each (rule, subject, period) fires once, outside its cooldown and snooze."""
        now = self.now()
        outcomes: list[Outcome] = []
        for rule in await self.records.rules():
            if rule.snoozed_until and rule.snoozed_until > now.timestamp():
                continue
            # What the rule's channel may see (QOPT_WORKSPACE_MAP); an unmapped place gets no alerts.
            access = policy.for_channel(Place(platform=rule.platform, team_id=rule.team_id, channel_id=rule.channel_id),
                                        self.services.settings)
            if not access.mapped:
                log.warning("alert rule %s: %s", rule.id, policy.unmapped_message(access.place))
                continue
            try:
                crossings = await alerting.evaluate(rule, self.services.warehouse, now, access.workspaces)
            except Exception:  # noqa: BLE001 - one broken rule must not stop the others
                log.exception("alert rule %s failed to evaluate", rule.id)
                continue
            crossings.sort(key=lambda o: (-abs(o.observed), o.subject, o.period))
            fired = 0
            for obs in crossings:
                if fired >= alerting.MAX_FIRINGS_PER_CHECK:
                    break
                if await self.records.has_fired(rule.id, obs.subject, obs.period):
                    continue
                last = await self.records.last_firing(rule.id, obs.subject)
                if last is not None and now.timestamp() - last.fired_at < rule.cooldown_seconds:
                    continue
                if await self.records.record_firing(rule.id, obs.subject, obs.period, obs.observed) is None:
                    continue  # another replica fired it first
                fired += 1
                outcomes.append(await self.deliver(
                    rule.platform, rule.channel_id, "alert", f"{rule.id}:{obs.subject}:{obs.period}",
                    alerting.alert_reply(rule, obs), notify_user=rule.created_by, what=f"alert #{rule.id}",
                ))  # fmt: skip
        return outcomes

    # -- retries ------------------------------------------------------------------------------------------------

    async def retry_failed(self) -> list[Outcome]:
        """Post again every failed delivery whose retry time has come (the stored message, unchanged)."""
        outcomes = []
        for item in await self.records.due_retries():
            what = "digest" if item.kind == "digest" else "alert"
            outcomes.append(await self.deliver(item.platform, item.channel_id, item.kind, item.period, None, what=what))
        return outcomes

