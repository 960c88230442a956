-- uses: priced_usage
-- Cost attribution for SQL warehouses, as system-tables.md describes (the method Databricks field engineers
-- publish). Defined once; every skill that shows a query's cost builds on these CTEs.
--
-- Parameters: :start, :end (hour-aligned timestamps of the window), :start_ms, :end_ms (the same in epoch ms),
-- :scan_start (start minus the longest query we consider, for pushdown on start_time), :start_date, :end_date.
-- :workspaces (a list parameter, see qopt.warehouse.lists): the workspaces the asker may see; NULL = all.
--
-- 1. billed:   each warehouse's billed cost per clock hour (all record types summed, priced with list_prices).
-- 2. slices:   each statement's execution interval [end - fetch - execution, end - fetch], split at hour
--              boundaries; its task time is spread over the interval in proportion to the overlap.
-- 3. busy:     per warehouse-hour, the length of the union of the execution intervals.
-- 4. up:       per warehouse-hour, the time the warehouse was up (warehouse_events: STARTING .. STOPPED);
--              an hour with billing but no events counts as up for the whole hour.
-- 5. hour_cost: busy part = billed × busy / up, idle part = the rest.
-- 6. statement_cost: the busy part of each hour goes to its statements in proportion to their task time
--              in that hour. Attributed + idle = billed, hour by hour.
WITH billed AS (
  SELECT warehouse_id, CAST(floor(unix_millis(usage_start_time) / 3600000) AS BIGINT) AS hour_idx,
         SUM(cost_usd) AS billed_usd
  FROM priced_usage
  WHERE warehouse_id IS NOT NULL
  GROUP BY ALL
),
executions AS (
  SELECT
    statement_id,
    compute.warehouse_id AS warehouse_id,
    total_task_duration_ms AS task_ms,
    unix_millis(end_time) - result_fetch_duration_ms - execution_duration_ms AS exec_start_ms,
    unix_millis(end_time) - result_fetch_duration_ms AS exec_end_ms
  FROM system.query.history
  WHERE start_time >= :scan_start AND start_time < :end
    AND end_time >= :start
    AND execution_duration_ms > 0
    AND compute.warehouse_id IS NOT NULL
    AND workspace_id IN (:workspaces)
),
slices AS (
  SELECT
    statement_id, warehouse_id, hour_idx,
    greatest(exec_start_ms, hour_idx * 3600000) AS s_ms,
    least(exec_end_ms, (hour_idx + 1) * 3600000) AS e_ms,
    CAST(task_ms AS DOUBLE) * (least(exec_end_ms, (hour_idx + 1) * 3600000) - greatest(exec_start_ms, hour_idx * 3600000))
      / (exec_end_ms - exec_start_ms) AS task_ms
  FROM (
    SELECT e.*, explode(sequence(CAST(floor(exec_start_ms / 3600000) AS BIGINT),
                                 CAST(floor((exec_end_ms - 1) / 3600000) AS BIGINT))) AS hour_idx
    FROM executions AS e
  )
  WHERE hour_idx * 3600000 >= :start_ms AND hour_idx * 3600000 < :end_ms
),
busy AS (
  -- The union of the intervals, in one pass: ordered by start, each interval adds what reaches past the
  -- latest end before it.
  SELECT warehouse_id, hour_idx, SUM(greatest(0, e_ms - greatest(s_ms, coalesce(prev_end, s_ms)))) AS busy_ms
  FROM (
    SELECT warehouse_id, hour_idx, s_ms, e_ms,
      MAX(e_ms) OVER (PARTITION BY warehouse_id, hour_idx ORDER BY s_ms, e_ms
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
    FROM slices
  )
  GROUP BY warehouse_id, hour_idx
),
events AS (
  -- Events at the same instant are ordered by the warehouse's lifecycle.
  SELECT warehouse_id, event_type, unix_millis(event_time) AS t,
    LEAD(unix_millis(event_time)) OVER (PARTITION BY warehouse_id ORDER BY event_time, lifecycle) AS next_t,
    ROW_NUMBER() OVER (PARTITION BY warehouse_id ORDER BY event_time, lifecycle) AS n
  FROM (
    SELECT *, CASE event_type WHEN 'STARTING' THEN 0 WHEN 'RUNNING' THEN 1 WHEN 'STOPPING' THEN 3
                              WHEN 'STOPPED' THEN 4 ELSE 2 END AS lifecycle
    FROM system.compute.warehouse_events
  )
  WHERE event_time >= :scan_start AND event_time < :end
),
up_intervals AS (
  -- After any event but STOPPED the warehouse is up until the next event (or the window's end).
  SELECT warehouse_id, greatest(t, :start_ms) AS s_ms, least(coalesce(next_t, :end_ms), :end_ms) AS e_ms
  FROM events WHERE event_type <> 'STOPPED'
  UNION ALL
  -- Before its first event, a warehouse whose first event is not STARTING was already up.
  SELECT warehouse_id, :start_ms AS s_ms, least(t, :end_ms) AS e_ms
  FROM events WHERE n = 1 AND event_type <> 'STARTING'
),
up AS (
  SELECT warehouse_id, hour_idx,
    SUM(least(e_ms, (hour_idx + 1) * 3600000) - greatest(s_ms, hour_idx * 3600000)) AS up_ms
  FROM (
    SELECT warehouse_id, s_ms, e_ms,
      explode(sequence(CAST(floor(s_ms / 3600000) AS BIGINT), CAST(floor((e_ms - 1) / 3600000) AS BIGINT))) AS hour_idx
    FROM up_intervals WHERE e_ms > s_ms
  )
  GROUP BY warehouse_id, hour_idx
),
has_events AS (
  SELECT DISTINCT warehouse_id FROM events
),
hour_cost AS (
  SELECT b.warehouse_id, b.hour_idx, b.billed_usd,
    coalesce(bz.busy_ms, 0) AS busy_ms,
    CASE WHEN he.warehouse_id IS NULL THEN 3600000 ELSE coalesce(upt.up_ms, 0) END AS up_ms,
    b.billed_usd * coalesce(try_divide(CAST(coalesce(bz.busy_ms, 0) AS DOUBLE),
      greatest(CASE WHEN he.warehouse_id IS NULL THEN 3600000 ELSE coalesce(upt.up_ms, 0) END, coalesce(bz.busy_ms, 0))), 0)
      AS attributed_usd
  FROM billed AS b
  LEFT JOIN busy AS bz ON bz.warehouse_id = b.warehouse_id AND bz.hour_idx = b.hour_idx
  LEFT JOIN up AS upt ON upt.warehouse_id = b.warehouse_id AND upt.hour_idx = b.hour_idx
  LEFT JOIN has_events AS he ON he.warehouse_id = b.warehouse_id
),
warehouse_hour_cost AS (
  SELECT warehouse_id, hour_idx, billed_usd, busy_ms, up_ms, attributed_usd, billed_usd - attributed_usd AS idle_usd
  FROM hour_cost
),
slice_weights AS (
  SELECT s.statement_id, s.warehouse_id, s.hour_idx,
    coalesce(try_divide(s.task_ms, SUM(s.task_ms) OVER (PARTITION BY s.warehouse_id, s.hour_idx)),
             try_divide(CAST(s.e_ms - s.s_ms AS DOUBLE), SUM(s.e_ms - s.s_ms) OVER (PARTITION BY s.warehouse_id, s.hour_idx)),
             0) AS weight
  FROM slices AS s
),
statement_cost AS (
  SELECT w.statement_id, SUM(w.weight * h.attributed_usd) AS cost_usd
  FROM slice_weights AS w
  JOIN hour_cost AS h ON h.warehouse_id = w.warehouse_id AND h.hour_idx = w.hour_idx
  GROUP BY w.statement_id
)
SELECT * FROM statement_cost
