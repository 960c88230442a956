"""The scheduler inside `qopt serve`: APScheduler's AsyncIOScheduler with one cron job per digest subscription,
an interval job for the alerts, one for retries, and a leader lease so that of several replicas one posts.

Every replica schedules every job (so a follower can take over at once); each job first renews the lease and does
nothing unless this replica holds it. The delivery records make a post happen once even if two replicas ever
believed they led at the same moment. APScheduler 3.x keeps its jobs in memory: the subscriptions in the state
store are the source of truth and are re-read every minute.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Mapping
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from qopt.bot.skill import Services
from qopt.config import Settings
from qopt.jobs import Jobs, Outcome, digest_trigger
from qopt.notify import Notifier
from qopt.state.records import Subscription

log = logging.getLogger("qopt.scheduler")

LEASE = "scheduler"
SYNC_SECONDS = 60.0
RETRY_SECONDS = 60.0
HOUSEKEEPING_SECONDS = 3600.0
KEEP_SECONDS = 90 * 86400.0  # delivery records and firings are kept 90 days


def _signature(sub: Subscription) -> tuple[str, str, int, str]:
    return (sub.frequency, sub.at_time, sub.weekday, sub.timezone)


class Scheduler:
    def __init__(
        self,
        services: Services,
        notifiers: Mapping[str, Notifier],
        *,
        settings: Settings | None = None,
        alert_interval_minutes: float | None = None,
        lease_seconds: float | None = None,
        digest_grace_minutes: float | None = None,
        instance_id: str | None = None,
    ) -> None:
        settings = settings or services.settings
        self.services = services
        self.jobs = Jobs(services, notifiers)
        self.alert_interval_minutes = alert_interval_minutes or settings.alert_interval_minutes
        self.lease_seconds = lease_seconds or settings.scheduler_lease_seconds
        self.digest_grace_seconds = int((digest_grace_minutes or settings.digest_grace_minutes) * 60)
        self.instance_id = instance_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.is_leader = False
        self.aps: AsyncIOScheduler | None = None
        self._digest_jobs: dict[int, tuple[str, str, int, str]] = {}

    # -- leadership ---------------------------------------------------------------------------------------------

    async def heartbeat(self) -> bool:
        """Take or renew the lease; a follower becomes leader once the old leader's lease has expired."""
        try:
            leading = await self.services.state.acquire_lease(LEASE, self.instance_id, self.lease_seconds)
        except Exception:  # noqa: BLE001 - a state store outage means: do not lead
            log.exception("scheduler lease renewal failed")
            leading = False
        if leading != self.is_leader:
            log.info("scheduler %s %s", self.instance_id, "leads" if leading else "follows")
        self.is_leader = leading
        return leading

    async def _lead(self) -> bool:
        """Renew the lease right before acting, so a replica that lost it never posts."""
        return await self.heartbeat()

    # -- jobs (each a no-op on followers) -----------------------------------------------------------------------

    async def run_digest(self, sub_id: int) -> Outcome | None:
        if not await self._lead():
            return None
        outcome = await self.jobs.digest_if_due(sub_id, self.digest_grace_seconds)
        if outcome is not None:
            log.info("digest %s/%s %s: %s", outcome.platform, outcome.channel, outcome.period, outcome.status)
        return outcome

    async def check_alerts(self) -> list[Outcome]:
        if not await self._lead():
            return []
        return await self.jobs.check_alerts()

    async def retry_failed(self) -> list[Outcome]:
        if not await self._lead():
            return []
        return await self.jobs.retry_failed()

    async def housekeeping(self) -> int:
        """Drop expired key-value entries (event de-duplication, ...) and settled records older than KEEP_SECONDS."""
        if not await self._lead():
            return 0
        return await self.services.state.purge_expired() + await self.jobs.records.prune(KEEP_SECONDS)

    async def sync_subscriptions(self) -> list[Outcome]:
        """Make the cron jobs match the subscriptions in the state store (added, changed, removed); then, as
        leader, post the digests that came due within the grace time without a delivery (catch-up after a restart
        or a take-over)."""
        if self.aps is not None:
            self._sync_jobs({s.id: s for s in await self.jobs.records.subscriptions()})
        if not await self._lead():
            return []
        return await self.jobs.catch_up(self.digest_grace_seconds)

    def _sync_jobs(self, subs: dict[int, Subscription]) -> None:
        assert self.aps is not None
        for sub_id in set(self._digest_jobs) - set(subs):
            self.aps.remove_job(f"digest:{sub_id}")
            del self._digest_jobs[sub_id]
        for sub in subs.values():
            signature = _signature(sub)
            if self._digest_jobs.get(sub.id) == signature:
                continue
            self.aps.add_job(
                self.run_digest, digest_trigger(sub), args=[sub.id], id=f"digest:{sub.id}", replace_existing=True,
                misfire_grace_time=self.digest_grace_seconds, coalesce=True, max_instances=1,
            )  # fmt: skip
            self._digest_jobs[sub.id] = signature

    # -- life cycle ---------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start on the running event loop; the lease and subscription jobs run at once."""
        if self.aps is not None:
            return
        now = datetime.now(timezone.utc)
        aps = AsyncIOScheduler(timezone=timezone.utc, job_defaults={"coalesce": True, "max_instances": 1})
        self.aps = aps
        aps.add_job(self.heartbeat, IntervalTrigger(seconds=self.lease_seconds / 3), id="lease", next_run_time=now,
                    misfire_grace_time=int(self.lease_seconds))
        aps.add_job(self.sync_subscriptions, IntervalTrigger(seconds=SYNC_SECONDS), id="subscriptions",
                    next_run_time=now, misfire_grace_time=int(SYNC_SECONDS))
        interval = self.alert_interval_minutes * 60
        aps.add_job(self.check_alerts, IntervalTrigger(seconds=interval), id="alerts",
                    misfire_grace_time=max(60, int(interval / 2)))
        aps.add_job(self.retry_failed, IntervalTrigger(seconds=RETRY_SECONDS), id="retries",
                    misfire_grace_time=int(RETRY_SECONDS))
        aps.add_job(self.housekeeping, IntervalTrigger(seconds=HOUSEKEEPING_SECONDS), id="housekeeping",
                    misfire_grace_time=int(HOUSEKEEPING_SECONDS))
        aps.start()
        log.info("scheduler %s started (alerts every %g min)", self.instance_id, self.alert_interval_minutes)

    async def stop(self) -> None:
        """Stop the jobs and hand the lease over at once (a follower takes it at its next heartbeat)."""
        aps, self.aps = self.aps, None
        self._digest_jobs.clear()
        if aps is not None and aps.running:
            aps.shutdown(wait=False)
        if self.is_leader:
            self.is_leader = False
            try:
                await self.services.state.release_lease(LEASE, self.instance_id)
            except Exception:  # noqa: BLE001 - the lease then simply expires
                log.exception("could not release the scheduler lease")
