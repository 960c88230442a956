"""Rows of the compute and lakeflow tables: warehouses (a row per configuration), warehouse events, clusters
(all-purpose ones with their changes, one job cluster per run of a notebook job), jobs (slowly changing) and
job runs (one timeline row per run).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from qopt.demo.billing import day, ts
from qopt.demo.topology import ACCOUNT_ID, DAY_MS, Topology, stable_hex
from qopt.demo.workload import JobRun

LIFECYCLE = {"STARTING": 0, "RUNNING": 1, "SCALED_UP": 2, "SCALED_DOWN": 2, "STOPPING": 3, "STOPPED": 4}


def warehouse_rows(topo: Topology) -> Iterator[dict]:
    for wh in topo.warehouses:
        for cfg in wh.configs:
            yield {
                "warehouse_id": wh.id, "workspace_id": topo.workspaces[wh.workspace].id, "account_id": ACCOUNT_ID,
                "warehouse_name": wh.name, "warehouse_type": wh.type, "warehouse_channel": "CURRENT",
                "warehouse_size": cfg.size, "min_clusters": cfg.min_clusters, "max_clusters": cfg.max_clusters,
                "auto_stop_minutes": cfg.auto_stop_minutes,
                "tags": {"team": topo.workspaces[wh.workspace].name}, "change_time": ts(cfg.change_ms), "delete_time": None,
            }


def sorted_events(events: list[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
    """Events in time order; at one instant in lifecycle order (STARTING before RUNNING, STOPPING before STOPPED)."""
    return sorted(events, key=lambda e: (e[0], LIFECYCLE[e[1]]))


def event_rows(topo: Topology, events: dict[int, list]) -> Iterator[dict]:
    for wh in topo.warehouses:
        for t, kind, count in events[wh.idx]:
            yield {"account_id": ACCOUNT_ID, "workspace_id": topo.workspaces[wh.workspace].id, "warehouse_id": wh.id,
                   "event_type": kind, "cluster_count": count, "event_time": ts(t)}


def compute_job_runs(topo: Topology, seed: int) -> list[dict]:
    """Runs of the notebook/Spark jobs, each on its own job cluster (independent of the number of statements)."""
    rnd = random.Random(f"{seed}:compute-jobs")
    runs = []
    days = (topo.end_ms - topo.start_ms) // DAY_MS
    for d in range(days):
        for job in topo.compute_jobs:
            for k in range(24 // job.every_hours):
                start = topo.start_ms + d * DAY_MS + job.minute * 60_000 + k * job.every_hours * 3_600_000
                start += rnd.randrange(0, 60_000)
                setup = rnd.randrange(150, 420)  # seconds: a job cluster starts
                length = int(job.minutes * 60 * rnd.lognormvariate(0, 0.25))
                failed = rnd.random() < 0.03
                if failed:
                    length = int(length * rnd.random())
                end = min(start + (setup + length + 30) * 1000, topo.end_ms + 6 * 3_600_000)
                run_id = str(800_000_000_000_000 + len(runs) * 104_729)
                when = ts(start)
                cluster_id = f"{when[5:7]}{when[8:10]}-{when[11:13]}{when[14:16]}{when[17:19]}-{stable_hex(run_id, 8)}"
                runs.append({
                    "job": job, "job_id": job.job_id, "job_name": job.name, "run_id": run_id, "start_ms": start,
                    "end_ms": end, "setup_s": setup, "run_s": length, "failed": failed, "cluster_id": cluster_id,
                    "workspace": job.workspace, "workers": job.workers, "node_type": job.node_type,
                    "photon": job.node_type.startswith("i3"), "run_as": topo.users[job.run_as].email,
                })
    return runs


def cluster_rows(topo: Topology, job_runs: list[dict]) -> Iterator[dict]:
    for c in topo.clusters:
        owner = topo.users[c.owner].email
        for cfg in c.configs:
            yield {
                "account_id": ACCOUNT_ID, "workspace_id": topo.workspaces[c.workspace].id, "cluster_id": c.id,
                "cluster_name": c.name, "owned_by": owner, "create_time": ts(c.configs[0].change_ms), "delete_time": None,
                "driver_node_type": c.node_type, "worker_node_type": c.node_type, "worker_count": cfg.workers,
                "min_autoscale_workers": None, "max_autoscale_workers": None,
                "auto_termination_minutes": cfg.auto_termination_minutes, "enable_elastic_disk": True,
                "tags": {"team": topo.workspaces[c.workspace].name}, "cluster_source": "UI", "init_scripts": [],
                "aws_attributes": {"availability": "SPOT_WITH_FALLBACK", "first_on_demand": 1, "zone_id": "us-east-1a"},
                "azure_attributes": None, "gcp_attributes": None, "driver_instance_pool_id": None,
                "worker_instance_pool_id": None, "dbr_version": "15.4.x-scala2.12" if cfg.workers < 8 else "16.4.x-scala2.12",
                "change_time": ts(cfg.change_ms), "change_date": day(cfg.change_ms),
            }
    for run in job_runs:
        yield {
            "account_id": ACCOUNT_ID, "workspace_id": topo.workspaces[run["workspace"]].id, "cluster_id": run["cluster_id"],
            "cluster_name": f"job-{run['job_id']}-run-{run['run_id']}", "owned_by": run["run_as"],
            "create_time": ts(run["start_ms"]), "delete_time": ts(run["end_ms"]),
            "driver_node_type": run["node_type"], "worker_node_type": run["node_type"], "worker_count": run["workers"],
            "min_autoscale_workers": None, "max_autoscale_workers": None, "auto_termination_minutes": 0,
            "enable_elastic_disk": True, "tags": {"job": run["job_name"]}, "cluster_source": "JOB", "init_scripts": [],
            "aws_attributes": {"availability": "SPOT_WITH_FALLBACK", "first_on_demand": 1, "zone_id": "us-east-1b"},
            "azure_attributes": None, "gcp_attributes": None, "driver_instance_pool_id": None,
            "worker_instance_pool_id": None, "dbr_version": "15.4.x-scala2.12",
            "change_time": ts(run["start_ms"]), "change_date": day(run["start_ms"]),
        }


def job_rows(topo: Topology) -> Iterator[dict]:
    """Slowly changing: a row at creation, another on each change (schedule, description, timeout)."""
    created = topo.start_ms - 150 * DAY_MS
    mid = topo.start_ms + max(1, (topo.end_ms - topo.start_ms) // DAY_MS // 2) * DAY_MS
    jobs = [(j.job_id, j.name, j.run_as, j.every_hours, j.minute, "SQL tasks on a warehouse") for j in topo.sql_jobs]
    jobs += [(j.job_id, j.name, j.run_as, j.every_hours, j.minute, "Notebook on a job cluster") for j in topo.compute_jobs]
    for i, (job_id, name, run_as, every, minute, kind) in enumerate(jobs):
        user = topo.users[run_as]
        ws = topo.workspaces[user.workspace].id
        cron = f"0 {minute % 60} {'*' if every == 1 else minute // 60} * * ?"
        base = {
            "account_id": ACCOUNT_ID, "workspace_id": ws, "job_id": job_id, "name": name, "creator_id": user.user_id,
            "tags": {"team": topo.workspaces[user.workspace].name}, "delete_time": None, "run_as": user.user_id,
            "trigger_type": "CRON", "run_as_user_name": user.email, "creator_user_name": user.email, "paused": False,
            "create_time": ts(created + i * DAY_MS),
            "trigger": {"schedule": {"quartz_cron_expression": cron, "timezone_id": "UTC", "pause_status": "UNPAUSED"}},
        }
        yield base | {"description": kind, "timeout_seconds": 3600, "change_time": ts(created + i * DAY_MS)}
        if i % 3 == 1:  # some jobs were edited inside the window
            yield base | {"description": f"{kind} (owner: {user.email})", "timeout_seconds": 7200, "change_time": ts(mid + i * 3_600_000)}
    # A job that was deleted inside the window and never ran in it.
    owner = topo.users[0]
    yield {
        "account_id": ACCOUNT_ID, "workspace_id": topo.workspaces[0].id, "job_id": "4242424242", "name": "legacy_export",
        "description": "Nightly CSV export (retired)", "creator_id": owner.user_id, "tags": {}, "run_as": owner.user_id,
        "change_time": ts(mid), "delete_time": ts(mid), "trigger_type": "CRON", "run_as_user_name": owner.email,
        "creator_user_name": owner.email, "paused": True, "timeout_seconds": 3600, "create_time": ts(created),
        "trigger": {"schedule": {"quartz_cron_expression": "0 0 1 * * ?", "timezone_id": "UTC", "pause_status": "PAUSED"}},
    }


def timeline_rows(topo: Topology, sql_runs: list[JobRun], compute_runs: list[dict]) -> Iterator[dict]:
    for run in sql_runs:
        job = topo.sql_jobs[run.job]
        ws = topo.workspaces[topo.warehouses[job.warehouse].workspace].id
        seconds = max(1, (run.end_ms - run.start_ms) // 1000)
        yield _timeline(ws, job.job_id, str(run.run_id), job.name, run.start_ms, run.end_ms, run.failed,
                        [topo.warehouses[job.warehouse].id], 0, seconds)
    for run in compute_runs:
        yield _timeline(topo.workspaces[run["workspace"]].id, run["job_id"], run["run_id"], run["job_name"],
                        run["start_ms"], run["end_ms"], run["failed"], [run["cluster_id"]], run["setup_s"], run["run_s"])


def _timeline(ws: str, job_id: str, run_id: str, name: str, start: int, end: int, failed: bool, compute: list[str],
              setup: int, run_s: int) -> dict:
    return {
        "account_id": ACCOUNT_ID, "workspace_id": ws, "job_id": job_id, "run_id": run_id,
        "period_start_time": ts(start), "period_end_time": ts(end), "trigger_type": "CRON",
        "result_state": "FAILED" if failed else "SUCCEEDED", "run_type": "JOB_RUN", "run_name": name,
        "compute_ids": compute, "termination_code": "RUN_EXECUTION_ERROR" if failed else "SUCCESS",
        "setup_duration_seconds": setup, "queue_duration_seconds": 0, "run_duration_seconds": run_s + setup,
        "cleanup_duration_seconds": 30 if setup else 0, "execution_duration_seconds": run_s,
    }
