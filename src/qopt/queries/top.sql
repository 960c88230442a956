-- uses: attribution, runs
-- One row per recurring statement (normalized text) with its attributed cost and run statistics.
-- The caller appends ORDER BY <metric> DESC and LIMIT :row_limit.
-- main_user: who runs it most (ties broken by name, so every warehouse gives the same answer).
WITH main_users AS (
  SELECT group_key, executed_by
  FROM (SELECT group_key, executed_by, COUNT(*) AS n FROM runs GROUP BY group_key, executed_by)
  QUALIFY row_number() OVER (PARTITION BY group_key ORDER BY n DESC, executed_by) = 1
)
SELECT
  r.group_key,
  COUNT(*) AS runs,
  SUM(coalesce(c.cost_usd, 0)) AS cost_usd,
  SUM(r.total_duration_ms) AS total_duration_ms,
  percentile(r.total_duration_ms, 0.5) AS p50_duration_ms,
  percentile(r.total_duration_ms, 0.95) AS p95_duration_ms,
  SUM(coalesce(r.spilled_local_bytes, 0)) AS spilled_bytes,
  SUM(coalesce(r.read_bytes, 0)) AS read_bytes,
  COUNT_IF(r.execution_status = 'FAILED') AS failures,
  COUNT(DISTINCT r.executed_by) AS users,
  array_sort(collect_set(r.executed_by)) AS user_list,
  MAX(m.executed_by) AS main_user,
  max_by(r.statement_text, r.start_time) AS sample_text,
  max_by(r.statement_id, r.start_time) AS last_statement_id,
  max_by(r.warehouse_id, r.start_time) AS warehouse_id,
  COUNT(DISTINCT r.warehouse_id) AS warehouses,
  MIN(r.start_time) AS first_seen,
  MAX(r.start_time) AS last_seen
FROM runs AS r
LEFT JOIN statement_cost AS c ON c.statement_id = r.statement_id
LEFT JOIN main_users AS m ON m.group_key = r.group_key
WHERE (:group_key IS NULL OR r.group_key = :group_key)
GROUP BY r.group_key
