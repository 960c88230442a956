"""The timeline contract of every generated statement, checked row by row against the warehouse events."""

from __future__ import annotations

from collections import defaultdict

from tests.demo.conftest import QUERIES, rows

SIX_HOURS_MS = 6 * 3_600_000


def test_every_statement_is_written(db):
    assert rows(db, "SELECT count(*), count(DISTINCT statement_id) FROM query.history") == [(QUERIES, QUERIES)]


def test_phases_add_up_and_end_time_follows(db):
    bad = rows(db, """
        SELECT statement_id FROM query.history
        WHERE total_duration_ms <> waiting_for_compute_duration_ms + compilation_duration_ms
                                   + waiting_at_capacity_duration_ms + execution_duration_ms + result_fetch_duration_ms
           OR epoch_ms(end_time) - epoch_ms(start_time) <> total_duration_ms
           OR update_time <> end_time
           OR total_duration_ms > ? OR total_duration_ms < 0
           OR least(waiting_for_compute_duration_ms, compilation_duration_ms, waiting_at_capacity_duration_ms,
                    execution_duration_ms, result_fetch_duration_ms) < 0
    """, [SIX_HOURS_MS])
    assert bad == []


def test_compute_is_a_warehouse_on_every_row(db):
    assert rows(db, """
        SELECT count(*) FROM query.history
        WHERE compute.type IS DISTINCT FROM 'WAREHOUSE' OR compute.warehouse_id IS NULL
    """) == [(0,)]
    known = {r[0] for r in rows(db, "SELECT warehouse_id FROM compute.warehouses")}
    used = {r[0] for r in rows(db, "SELECT DISTINCT compute.warehouse_id FROM query.history")}
    assert used <= known


def test_task_time_covers_execution_and_cache_hits_do_no_work(db):
    assert rows(db, """
        SELECT count(*) FROM query.history
        WHERE execution_duration_ms > 0 AND total_task_duration_ms < execution_duration_ms
    """) == [(0,)]
    hits = rows(db, """
        SELECT count(*), max(execution_duration_ms), max(read_bytes), max(total_task_duration_ms),
               count(*) FILTER (WHERE cache_origin_statement_id IS NULL)
        FROM query.history WHERE from_result_cache
    """)[0]
    assert hits[0] > 0 and hits[1:] == (0, 0, 0, 0)
    # A hit repeats an earlier statement with the same text on the same warehouse.
    assert rows(db, """
        SELECT count(*) FROM query.history AS h
        JOIN query.history AS o ON o.statement_id = h.cache_origin_statement_id
        WHERE h.from_result_cache AND (o.statement_text <> h.statement_text OR o.start_time >= h.start_time
              OR o.compute.warehouse_id <> h.compute.warehouse_id OR o.produced_rows <> h.produced_rows)
    """) == [(0,)]


def _up_intervals(db) -> dict[str, list[tuple[int, int]]]:
    """STARTING .. STOPPED per warehouse, read back from compute.warehouse_events (ms)."""
    up: dict[str, list[tuple[int, int]]] = defaultdict(list)
    open_at: dict[str, int] = {}
    order = {"STARTING": 0, "RUNNING": 1, "SCALED_UP": 2, "SCALED_DOWN": 2, "STOPPING": 3, "STOPPED": 4}
    events = rows(db, "SELECT warehouse_id, event_type, epoch_ms(event_time) FROM compute.warehouse_events")
    for wh, kind, t in sorted(events, key=lambda e: (e[0], e[2], order[e[1]])):
        if kind == "STARTING":
            assert wh not in open_at, f"{wh} started twice without stopping"
            open_at[wh] = t
        elif kind == "STOPPED":
            up[wh].append((open_at.pop(wh), t))
        else:
            assert wh in open_at, f"{kind} of {wh} outside an up interval"
    assert not open_at, "every warehouse stops in the end"
    return up


def test_every_execution_lies_inside_an_up_interval(db):
    up = _up_intervals(db)
    statements = rows(db, """
        SELECT compute.warehouse_id, epoch_ms(end_time) - result_fetch_duration_ms - execution_duration_ms,
               epoch_ms(end_time) - result_fetch_duration_ms
        FROM query.history
    """)
    outside = []
    for wh, s, e in statements:
        if not any(a <= s and e <= b for a, b in up[wh]):
            outside.append((wh, s, e))
    assert outside == []


def test_a_stopped_warehouse_makes_its_first_statement_wait_for_compute(db):
    starts = rows(db, """
        SELECT e.warehouse_id, epoch_ms(e.event_time), w.warehouse_type,
               (SELECT min(epoch_ms(r.event_time)) FROM compute.warehouse_events AS r
                WHERE r.warehouse_id = e.warehouse_id AND r.event_type = 'RUNNING' AND r.event_time >= e.event_time)
        FROM compute.warehouse_events AS e
        JOIN (SELECT DISTINCT warehouse_id, warehouse_type FROM compute.warehouses) AS w USING (warehouse_id)
        WHERE e.event_type = 'STARTING'
    """)
    first = {(wh, t): wait for wh, t, wait in rows(db, """
        SELECT compute.warehouse_id, epoch_ms(start_time), waiting_for_compute_duration_ms FROM query.history
    """)}
    assert starts
    for wh, t, kind, running in starts:
        assert (wh, t) in first, "a warehouse starts because a statement arrives"
        assert first[(wh, t)] == running - t > 0
        if kind == "SERVERLESS":
            assert 5_000 <= running - t <= 15_000
        else:
            assert 120_000 <= running - t <= 300_000
    # Statements arriving while the warehouse runs do not wait for compute.
    assert rows(db, "SELECT count(*) FROM query.history WHERE waiting_for_compute_duration_ms = 0")[0][0] > QUERIES / 3


def test_warehouses_stop_auto_stop_minutes_after_the_last_statement(db):
    up = _up_intervals(db)
    configs = defaultdict(list)
    for wh, change, stop in rows(db, "SELECT warehouse_id, epoch_ms(change_time), auto_stop_minutes FROM compute.warehouses"):
        configs[wh].append((change, stop))
    ends = defaultdict(list)
    for wh, end in rows(db, "SELECT compute.warehouse_id, epoch_ms(end_time) FROM query.history"):
        ends[wh].append(end)
    for wh, intervals in up.items():
        for a, b in intervals:
            last = max(e for e in ends[wh] if a <= e <= b)
            auto_stop = [s for c, s in sorted(configs[wh]) if c <= last][-1]
            assert b == last + auto_stop * 60_000


def test_busy_warehouses_queue_and_only_when_full(db):
    queued = rows(db, """
        SELECT statement_id, compute.warehouse_id, epoch_ms(end_time) - result_fetch_duration_ms - execution_duration_ms
        FROM query.history WHERE waiting_at_capacity_duration_ms > 0
    """)
    assert len(queued) >= 10
    # While a statement waited, other statements of its warehouse were executing.
    for statement_id, wh, exec_start in queued[:50]:
        busy = rows(db, """
            SELECT count(*) FROM query.history
            WHERE compute.warehouse_id = ? AND statement_id <> ? AND execution_duration_ms > 0
              AND epoch_ms(end_time) - result_fetch_duration_ms - execution_duration_ms < ?
              AND epoch_ms(end_time) - result_fetch_duration_ms >= ?
        """, [wh, statement_id, exec_start, exec_start - 1])[0][0]
        assert busy >= 2


def test_cluster_counts_stay_within_the_configuration(db):
    configs = defaultdict(list)
    for wh, change, lo, hi in rows(db, "SELECT warehouse_id, epoch_ms(change_time), min_clusters, max_clusters "
                                       "FROM compute.warehouses"):
        configs[wh].append((change, lo, hi))
    for wh, kind, count, t in rows(db, "SELECT warehouse_id, event_type, cluster_count, epoch_ms(event_time) "
                                       "FROM compute.warehouse_events"):
        _, lo, hi = [c for c in sorted(configs[wh]) if c[0] <= t][-1]
        if kind == "STOPPED":
            assert count == 0
        else:
            assert lo <= count <= hi, (wh, kind, count)
