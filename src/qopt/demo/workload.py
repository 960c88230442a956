"""Query arrivals and the simulation of SQL warehouses: when each statement waits, runs and ends.

The timeline of a statement (the contract the cost attribution relies on):
waiting_for_compute → compilation → waiting_at_capacity → execution → result fetch, back to back;
`total_duration_ms` is their sum and `end_time = start_time + total_duration_ms`. A statement arriving at a
stopped warehouse starts it (STARTING at the arrival, RUNNING after the cold start, which the statement waits
for); a warehouse stops `auto_stop_minutes` after the last statement ended with no new arrival (STOPPING and
STOPPED at that instant). A warehouse runs a few statements per cluster at once (more on bigger sizes); beyond that statements queue, and
it scales up (SCALED_UP) when the queue is long and it may. Every execution therefore lies inside an up interval.

Metrics follow the template's scans (templates.py) and the warehouse size at the time: bytes scale with the
columns read and the files the filter cannot prune, execution time with bytes over the warehouse's throughput,
sorts beyond the warehouse's memory spill, task time is execution time times the parallelism used.

Arrivals are generated one day at a time (bounded memory); statements are handed to `sink` in batches.
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate

from qopt.demo.tables import TABLES
from qopt.demo.templates import CATEGORIES, TEMPLATES, Template
from qopt.demo.topology import DAY_MS, DBU_PER_HOUR, HOUR_MS, Topology

# Shares of the statements by category.
MIX = {"dashboard": 0.46, "etl": 0.12, "adhoc": 0.26, "genie": 0.07, "alert": 0.04, "notebook": 0.05}
# Relative activity by hour of day (UTC): a working day, quiet nights.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 18, 16, 12, 15, 17, 16, 13, 9, 6, 4, 3, 2, 2, 1)
HOUR_CUM = tuple(accumulate(HOUR_WEIGHTS))
# Statements one cluster runs at once, by size; more wait at capacity.
SLOTS_PER_CLUSTER = {"2X_SMALL": 2, "X_SMALL": 3, "SMALL": 4, "MEDIUM": 6, "LARGE": 8, "X_LARGE": 10,
                     "2X_LARGE": 12, "3X_LARGE": 16, "4X_LARGE": 20}
MAX_QUERY_MS = 6 * HOUR_MS - 60_000
QUEUE_TIMEOUT_MS = 30 * 60_000
MB = 1024**2

# Source kinds (query_source) and statuses, as small integers in the staging rows.
SRC_NONE, SRC_DASHBOARD, SRC_JOB, SRC_GENIE, SRC_ALERT, SRC_NOTEBOOK = range(6)
FINISHED, FAILED, CANCELED = range(3)
# error_message by code (index), used by writer.py.
ERRORS = (
    None,
    "[TABLE_OR_VIEW_NOT_FOUND] The table or view cannot be found. Verify the spelling and correctness of the schema and catalog.",
    "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name cannot be resolved.",
    "[PARSE_SYNTAX_ERROR] Syntax error at or near 'FROM'.",
    "[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead.",
    "[CAST_INVALID_INPUT] The value cannot be cast to \"DATE\" because it is malformed.",
    "Query exceeded the memory limit of the warehouse: spilled too much data to disk.",
    "Query was cancelled by the user.",
    "Query timed out while waiting in the queue of the warehouse.",
    "[DELTA_CONCURRENT_APPEND] ConcurrentAppendException: Files were added to the table by a concurrent update.",
)
COMPILE_ERRORS = (1, 2, 3)
RUNTIME_ERRORS = (4, 5, 6, 9)
ERR_CANCELED, ERR_QUEUE_TIMEOUT = 7, 8

# One staging row per statement; writer.py expands it to the 44 columns of query.history.
ROW_FIELDS = (
    "qid", "tmpl", "usr", "as_usr", "wh", "start_ms", "wfc", "comp", "wcap", "exe", "fetch", "task", "status", "err",
    "origin", "span", "lit2", "read_bytes", "read_files", "pruned_files", "read_files_bytes", "pruned_files_bytes",
    "read_rows", "produced_rows", "spill", "shuffle", "written_bytes", "written_rows", "written_files", "io_pct",
    "src_kind", "src_idx", "job_idx", "run_id", "task_run_id", "session",
)


@dataclass(frozen=True)
class Shape:
    """What one run of a template with a given `{from}` span reads, before noise."""

    bytes: float
    rows: float
    files: int
    total_files: int
    files_bytes: float  # bytes of the files read (all columns)
    pruned_bytes: float


def shape(template: Template, span: int) -> Shape:
    b = r = fb = pb = 0.0
    files = total = 0
    for scan in template.scans:
        table = TABLES[scan.table]
        if scan.prune == "span":
            frac = min(1.0, span / table.days) if table.days else 1.0
        elif scan.prune == "day":
            frac = 1.0 / table.days if table.days else 1.0
        elif scan.prune == "all":
            frac = 1.0
        elif scan.prune in ("key", "limit"):
            frac = min(1.0, 2.0 / table.files)
        else:
            frac = float(scan.prune)
        col_frac = 1.0 if scan.cols == "*" else scan.cols / table.ncols
        n_files = max(1, round(table.files * frac))
        b += table.bytes * frac * col_frac
        r += table.rows * frac
        files += n_files
        total += table.files
        fb += table.bytes * n_files / table.files
        pb += table.bytes * (table.files - n_files) / table.files
    return Shape(b, r, files, total, fb, pb)


@dataclass
class WarehouseState:
    up: bool = False
    ready_ms: int = 0
    up_since: int = 0
    last_end: int = 0
    clusters: int = 0
    last_event_ms: int = 0
    last_scale_up_ms: int = 0
    running: list[int] = field(default_factory=list)  # heap of execution end times
    cache: dict[tuple, tuple] = field(default_factory=dict)  # statement key -> (qid, t_ms, produced_rows, s)
    events: list[tuple[int, str, int]] = field(default_factory=list)  # (time, type, cluster_count)


@dataclass
class JobRun:
    job: int
    run_id: int
    start_ms: int
    statements: list[int]  # template indexes still to run
    end_ms: int = 0
    failed: bool = False
    tasks: int = 0


@dataclass
class SimulationResult:
    events: dict[int, list[tuple[int, str, int]]]
    job_runs: list[JobRun]
    statements: int
    cache_hits: int = 0
    failed: int = 0
    canceled: int = 0


def split(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder): the parts add up to `total` exactly."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    parts = [int(x) for x in raw]
    rest = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


class Simulation:
    """Generates the arrivals day by day and plays them through the warehouses in time order."""

    def __init__(self, topo: Topology, *, queries: int, seed: int, sink: Callable[[list[tuple]], None],
                 batch_size: int = 100_000) -> None:
        self.topo = topo
        self.queries = queries
        self.seed = seed
        self.sink = sink
        self.batch_size = batch_size
        self.rnd = random.Random(f"{seed}:simulation")
        self.days = (topo.end_ms - topo.start_ms) // DAY_MS
        self.state = [WarehouseState() for _ in topo.warehouses]
        self.rows: list[tuple] = []
        self.qid = 0
        self.seq = 0
        self.run_seq = 0
        self.session_seq = 0
        self.job_runs: list[JobRun] = []
        self.cache_hits = self.failed = self.canceled = 0
        self.shapes = {(i, span): shape(t, span) for i, t in enumerate(TEMPLATES) for span in t.spans}
        self.tmpl_by_cat = {c: [i for i, t in enumerate(TEMPLATES) if t.category == c] for c in CATEGORIES}
        self.humans = [u.idx for u in topo.users if u.role != "service"]
        self.humans_by_ws = {ws: [i for i in ids if topo.users[i].role != "service"]
                             for ws, ids in topo.users_by_workspace.items()}

    # ------------------------------------------------------------------ arrivals
    def day_counts(self) -> list[int]:
        """Statements per day: weekdays busier than weekends, a slow upward trend."""
        weights = []
        for d in range(self.days):
            weekday = ((self.topo.start_ms // DAY_MS) + d + 3) % 7  # 1970-01-01 was a Thursday (3)
            weights.append((0.35 if weekday >= 5 else 1.0) * (1.0 + 0.15 * d / max(1, self.days)))
        return split(self.queries, weights)

    def _time_of_day(self, rnd: random.Random) -> int:
        hour = bisect(HOUR_CUM, rnd.random() * HOUR_CUM[-1], 0, 23)  # == rnd.choices(range(24), cum_weights=...)
        return hour * HOUR_MS + int(rnd.random() * HOUR_MS)

    def arrivals(self, day: int, n: int) -> list[tuple]:
        """The arrivals of one day: (t_ms, seq, kind, payload...)."""
        rnd = random.Random(f"{self.seed}:arrivals:{day}")
        day_ms = self.topo.start_ms + day * DAY_MS
        quotas = dict(zip(MIX, split(n, list(MIX.values()))))
        out: list[tuple] = []
        self._dashboards(rnd, day_ms, quotas["dashboard"], out)
        self._jobs(rnd, day_ms, quotas["etl"], out)
        self._sessions(rnd, day_ms, quotas["adhoc"], out)
        self._sources(rnd, day_ms, quotas["genie"], "genie", out)
        self._sources(rnd, day_ms, quotas["alert"], "alert", out)
        self._sources(rnd, day_ms, quotas["notebook"], "notebook", out)
        last = self.topo.end_ms - 1000
        return [(min(a[0], last),) + a[1:] for a in out]

    def _add(self, out, t, tmpl, usr, as_usr, wh, src_kind, src_idx, span, lit2, session, scheduled=False, run=None):
        self.seq += 1
        out.append((t, self.seq, tmpl, usr, as_usr, wh, src_kind, src_idx, span, lit2, session, scheduled, run))

    def _dashboards(self, rnd, day_ms, quota, out):
        dashes = self.topo.dashboards
        for dash, q in zip(dashes, split(quota, [d.weight for d in dashes])):
            if q == 0:
                continue
            w = len(dash.widgets)
            refreshes = -(-q // w)
            # Scheduled refreshes: hourly ones through the working day (06:00-20:59), daily ones once.
            hours = range(6, 21) if dash.every_hours == 1 else range(0, 1)
            slots = [dash.minute * 60_000 + h * HOUR_MS for h in hours]
            scheduled = min(len(slots), max(1, round(refreshes * 0.7)))
            stride = len(slots) / scheduled
            times = [(slots[int(k * stride)], True) for k in range(scheduled)]
            times += [(self._time_of_day(rnd), False) for _ in range(refreshes - scheduled)]
            viewers = self.humans_by_ws[self.topo.warehouses[dash.warehouse].workspace]
            left = q
            for t, sched in times:
                viewer = dash.owner if sched else rnd.choice(viewers)
                default = sched or rnd.random() < 0.7  # most views keep the dashboard's default filters
                self.session_seq += 1
                for k, tmpl in enumerate(dash.widgets[:left]):
                    template = TEMPLATES[tmpl]
                    if default:
                        span, lit2 = template.spans[0], template.n_range[0]
                    else:
                        span, lit2 = rnd.choice(template.spans), rnd.randint(*template.n_range)
                    self._add(out, day_ms + t + k * 120 + rnd.randrange(100), tmpl, viewer, dash.owner,
                              dash.warehouse, SRC_DASHBOARD, dash.idx, span, lit2, self.session_seq, sched)
                left -= min(left, w)

    def _jobs(self, rnd, day_ms, quota, out):
        runs = []
        for job in self.topo.sql_jobs:
            for k in range(24 // job.every_hours):
                runs.append((job.minute * 60_000 + k * job.every_hours * HOUR_MS, job))
        runs.sort(key=lambda r: (r[0], r[1].idx))
        for (t, job), count in zip(runs, split(quota, [len(j.statements) for _, j in runs])):
            if count == 0:
                continue
            self.run_seq += 1
            stmts = [job.statements[i % len(job.statements)] for i in range(count)]
            run = JobRun(job.idx, 700_000_000_000_000 + self.run_seq * 7919, day_ms + t, stmts)
            self._add(out, day_ms + t + rnd.randrange(5_000, 40_000), -1, job.run_as, job.run_as, job.warehouse,
                      SRC_JOB, job.idx, 0, 0, 0, True, run)

    def _sessions(self, rnd, day_ms, quota, out):
        topo = self.topo
        adhoc = self.tmpl_by_cat["adhoc"]
        weights = [TEMPLATES[i].weight for i in adhoc]
        cum = list(accumulate(weights))
        left = quota
        while left > 0:
            usr = rnd.choice(self.humans)
            ws = topo.users[usr].workspace
            whs = [w for w in topo.warehouses if w.workspace == ws and w.adhoc_weight > 0]
            wh = rnd.choices(whs, weights=[w.adhoc_weight for w in whs])[0].idx
            k = min(left, 1 + int(rnd.expovariate(1 / 3.0)))
            self.session_seq += 1
            t = self._time_of_day(rnd)
            for _ in range(k):
                tmpl = adhoc[bisect(cum, rnd.random() * cum[-1], 0, len(cum) - 1)]  # == rnd.choices(adhoc, cum_weights=cum)
                template = TEMPLATES[tmpl]
                self._add(out, day_ms + t, tmpl, usr, usr, wh, SRC_NONE, -1, rnd.choice(template.spans),
                          rnd.randint(*template.n_range), self.session_seq)
                t += rnd.randrange(20_000, 400_000)
            left -= k

    def _sources(self, rnd, day_ms, quota, kind, out):
        sources = [s for s in self.topo.sources if s.kind == kind]
        src_kind = {"genie": SRC_GENIE, "alert": SRC_ALERT, "notebook": SRC_NOTEBOOK}[kind]
        for src, q in zip(sources, split(quota, [s.weight for s in sources])):
            ws = self.topo.warehouses[src.warehouse].workspace
            for i in range(q):
                if kind == "alert":  # evenly through the day, as scheduled
                    t, usr = int((i + 0.5) * DAY_MS / q), src.owner
                    self.session_seq += 1
                elif kind == "genie":
                    t, usr = self._time_of_day(rnd), rnd.choice(self.humans_by_ws[ws])
                    self.session_seq += 1
                else:  # notebooks: the owner's working sessions
                    if i % 4 == 0:
                        t0 = self._time_of_day(rnd)
                        self.session_seq += 1
                    t, usr = t0 + (i % 4) * rnd.randrange(60_000, 600_000), src.owner
                tmpl = rnd.choice(src.templates)
                template = TEMPLATES[tmpl]
                span = template.spans[0] if kind == "alert" else rnd.choice(template.spans)
                lit2 = template.n_range[0] if kind == "alert" else rnd.randint(*template.n_range)
                self._add(out, day_ms + t, tmpl, usr, usr, src.warehouse, src_kind, src.idx, span, lit2,
                          self.session_seq, kind == "alert")

    # ------------------------------------------------------------------ simulation
    def run(self) -> SimulationResult:
        counts = self.day_counts()
        heap: list[tuple] = []
        next_day = 0
        while True:
            if next_day < self.days and (not heap or heap[0][0] >= self.topo.start_ms + next_day * DAY_MS):
                for a in self.arrivals(next_day, counts[next_day]):
                    heapq.heappush(heap, a)
                next_day += 1
                continue
            if not heap:
                break
            arrival = heapq.heappop(heap)
            follow = self.execute(arrival)
            if follow is not None:
                heapq.heappush(heap, follow)
        for idx, st in enumerate(self.state):
            if st.up:
                self._stop(idx, st)
        self._flush()
        return SimulationResult({i: st.events for i, st in enumerate(self.state)}, self.job_runs, self.qid,
                                self.cache_hits, self.failed, self.canceled)

    def _flush(self) -> None:
        if self.rows:
            self.sink(self.rows)
            self.rows = []

    def _stop(self, idx: int, st: WarehouseState) -> None:
        config = self.topo.warehouses[idx].config_at(st.last_end)
        t = max(st.last_end + config.auto_stop_minutes * 60_000, st.last_event_ms)
        st.events.append((t, "STOPPING", st.clusters))
        st.events.append((t, "STOPPED", 0))
        st.last_event_ms = t
        st.up = False
        st.clusters = 0
        st.running.clear()
        st.cache.clear()

    def execute(self, arrival: tuple) -> tuple | None:
        """Run one statement; returns the next statement of its job run, if any."""
        t, _seq, tmpl, usr, as_usr, wh_idx, src_kind, src_idx, span, lit2, session, scheduled, run = arrival
        rnd = self.rnd
        below = rnd._randbelow  # randrange/choice without their argument checks: the same draws
        if run is not None:
            tmpl = run.statements[run.tasks]
            template = TEMPLATES[tmpl]
            span, lit2 = template.spans[0], template.n_range[0]
        template = TEMPLATES[tmpl]
        wh = self.topo.warehouses[wh_idx]
        config = wh.config_at(t)
        st = self.state[wh_idx]
        # Up or down?
        if st.up and t > st.last_end + wh.config_at(st.last_end).auto_stop_minutes * 60_000:
            self._stop(wh_idx, st)
        if not st.up:
            cold = 5_000 + below(10_000) if wh.type == "SERVERLESS" else 120_000 + below(180_000)
            st.up, st.ready_ms, st.up_since, st.clusters = True, t + cold, t, config.min_clusters
            st.events.append((t, "STARTING", st.clusters))
            st.events.append((t + cold, "RUNNING", st.clusters))
            st.last_event_ms = t + cold
            st.last_end = max(st.last_end, t + cold)
        wfc = max(0, st.ready_ms - t)
        dbu = DBU_PER_HOUR[config.size]
        cores = 2 * dbu
        # Result cache: an identical statement served earlier while this warehouse stayed up, within the hour.
        key = (tmpl, span, lit2, t // DAY_MS)
        hit = None
        if not scheduled and template.statement_type == "SELECT" and run is None and src_kind != SRC_NONE:
            hit = st.cache.get(key)
            if hit is not None and (t - hit[1] > HOUR_MS or rnd.random() > 0.85):
                hit = None
        self.qid += 1
        qid = self.qid
        sh = self.shapes[(tmpl, span)]
        status, err, origin = FINISHED, 0, 0
        if hit is not None:
            self.cache_hits += 1
            origin = hit[0]
            produced = hit[2]
            comp = 15 + below(65)
            wcap = exe = task = 0
            fetch = 5 + min(600_000, produced // 500)
            read_bytes = read_files = pruned = files_bytes = pruned_bytes = read_rows = 0
            spill = shuffle = wbytes = wrows = wfiles = io_pct = 0
        else:
            adhoc_like = src_kind in (SRC_NONE, SRC_GENIE, SRC_NOTEBOOK)
            s = lognormal(rnd.random, 0.55 if adhoc_like else 0.25)
            read_bytes = int(sh.bytes * s)
            read_rows = int(sh.rows * s)
            read_files = max(1, int(sh.files * (0.9 + 0.2 * rnd.random()))) if template.scans else 0
            read_files = min(read_files, sh.total_files)
            pruned = sh.total_files - read_files
            files_bytes = int(sh.files_bytes * read_files / sh.files) if sh.files else 0
            pruned_bytes = int(sh.pruned_bytes)
            if template.out_is_fraction:
                produced = int(read_rows * template.out)
            else:
                produced = int(template.out * (0.8 + 0.4 * rnd.random())) if template.out >= 1 else 0
            shuffle = int(read_bytes * template.shuffle)
            mem = cores * 256 * MB
            spill = max(0, int(read_bytes * template.sort) - mem)
            throughput = cores * 40 * MB  # bytes per second
            exe = 120 + int(1000 * (read_bytes * template.cpu / throughput + shuffle / (cores * 100 * MB)
                                    + 2 * spill / (cores * 30 * MB)))
            if template.write:
                wrows = int(read_rows * template.write)
                wbytes = wrows * 60
                wfiles = max(1, wbytes // (128 * MB))
                exe += int(1000 * wbytes / (cores * 20 * MB))
            else:
                wrows = wbytes = wfiles = 0
            comp = int(60 + 70 * len(template.scans) * lognormal(rnd.random, 0.5))
            if template.statement_type == "MERGE":
                comp += 300 + below(1_200)
            io_pct = 0 if t - st.up_since < 600_000 or not template.scans else int(rnd.random() * 90)
            exe = int(exe * (1 - io_pct / 300))
            # Capacity: queue when every slot is taken; scale up when allowed.
            ready = t + wfc + comp
            running = st.running
            while running and running[0] <= ready:
                heapq.heappop(running)
            wcap = 0
            popped = None
            slots = SLOTS_PER_CLUSTER[config.size]
            if len(running) >= st.clusters * slots:
                free_at = running[0]
                serverless = wh.type == "SERVERLESS"
                if free_at - ready > (5_000 if serverless else 60_000) and st.clusters < config.max_clusters:
                    st.clusters += 1  # a queue builds up: add a cluster, which takes a while to start
                    at = max(ready, st.last_event_ms)
                    st.events.append((at, "SCALED_UP", st.clusters))
                    st.last_event_ms = st.last_scale_up_ms = at
                    free_at = min(free_at, at + (10_000 if serverless else 90_000))
                if free_at == running[0]:
                    popped = heapq.heappop(running)  # the slot passes to this statement
                wcap = max(0, free_at - ready)
            elif (st.clusters > config.min_clusters and len(running) <= (st.clusters - 1) * slots // 2
                  and t - st.last_scale_up_ms > 15 * 60_000):
                st.clusters -= 1
                at = max(t, st.last_event_ms)
                st.events.append((at, "SCALED_DOWN", st.clusters))
                st.last_event_ms = at
            fetch = 5 + min(600_000, produced // 500)
            # Failures and cancellations.
            u = rnd.random()
            fail_p = 0.04 if src_kind == SRC_NONE else 0.03 if src_kind == SRC_GENIE else 0.01
            cancel_p = (0.03 if src_kind == SRC_NONE else 0.005) + (0.25 if exe > 900_000 and src_kind == SRC_NONE else 0)
            if wcap > QUEUE_TIMEOUT_MS:
                status, err, wcap = CANCELED, ERR_QUEUE_TIMEOUT, QUEUE_TIMEOUT_MS
                cut = 0.0
                if popped is not None:
                    heapq.heappush(running, popped)
            elif u < fail_p:
                status = FAILED
                if rnd.random() < 0.6:
                    err, cut = COMPILE_ERRORS[below(len(COMPILE_ERRORS))], 0.0
                    wcap = 0
                    if popped is not None:
                        heapq.heappush(running, popped)
                else:
                    err, cut = RUNTIME_ERRORS[below(len(RUNTIME_ERRORS))], 0.1 + 0.8 * rnd.random()
            elif u < fail_p + cancel_p:
                status, err, cut = CANCELED, ERR_CANCELED, 0.05 + 0.9 * rnd.random()
            else:
                cut = 1.0
            if status != FINISHED:
                if status == FAILED:
                    self.failed += 1
                else:
                    self.canceled += 1
                exe = int(exe * cut)
                read_bytes, read_rows, spill, shuffle = (int(x * cut) for x in (read_bytes, read_rows, spill, shuffle))
                read_files = int(read_files * cut)
                files_bytes = int(files_bytes * cut)
                produced = wrows = wbytes = wfiles = 0
                fetch = 0
            exe = min(exe, MAX_QUERY_MS - wfc - comp - wcap - fetch)
            if exe > 0:
                parallel = max(1.0, min(cores, max(1, read_files)) * (0.55 + 0.35 * rnd.random()))
                task = int(exe * parallel)
                heapq.heappush(running, ready + wcap + exe)
            else:
                task = 0
            if status == FINISHED and template.statement_type == "SELECT" and run is None:
                st.cache[key] = (qid, t, produced, s)
        total = wfc + comp + wcap + exe + fetch
        st.last_end = max(st.last_end, t + total)
        if run is not None:
            task_run_id = run.run_id + 1 + run.tasks
            run.tasks += 1
            run.failed = status == FAILED
            if run.failed and run.tasks < len(run.statements):
                # Jobs retry a failed task: the retry replaces the run's last statement (the count stays exact).
                run.statements.insert(run.tasks, tmpl)
                run.statements.pop()
            job_idx, run_id = src_idx, run.run_id
        else:
            task_run_id = job_idx = run_id = -1
        self.rows.append((
            qid, tmpl, usr, as_usr, wh_idx, t, wfc, comp, wcap, exe, fetch, task, status, err, origin, span, lit2,
            read_bytes, read_files, pruned, files_bytes, pruned_bytes, read_rows, produced, spill, shuffle, wbytes,
            wrows, wfiles, io_pct, src_kind, src_idx, job_idx, run_id, task_run_id, session,
        ))
        if len(self.rows) >= self.batch_size:
            self._flush()
        if run is not None:
            if run.tasks < len(run.statements):
                nxt = min(t + total + 1_000 + below(3_000), self.topo.end_ms - 1000)
                self.seq += 1
                return (nxt, self.seq, -1, usr, as_usr, wh_idx, src_kind, src_idx, 0, 0, session, True, run)
            run.end_ms = t + total + 2_000 + below(6_000)
            self.job_runs.append(run)
        return None


_NV_MAGICCONST = 4 * math.exp(-0.5) / math.sqrt(2.0)


def lognormal(random_: Callable[[], float], sigma: float) -> float:
    """`Random.lognormvariate(0, sigma)` with the same draws and result, without two layers of calls."""
    while True:
        u1 = random_()
        u2 = 1.0 - random_()
        z = _NV_MAGICCONST * (u1 - 0.5) / u2
        if z * z / 4.0 <= -math.log(u2):
            return math.exp(0.0 + z * sigma)

