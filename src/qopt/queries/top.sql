-- uses: attribution, runs
-- One row per recurring statement (normalized text) with its attributed cost and run statistics.
-- The caller appends ORDER BY <metric> DESC and LIMIT :row_limit.
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
  mode(r.executed_by) AS main_user,
  max_by(r.statement_text, r.start_time) AS sample_text,
  max_by(r.statement_id, r.start_time) AS last_statement_id,
  max_by(r.warehouse_id, r.start_time) AS warehouse_id,
  COUNT(DISTINCT r.warehouse_id) AS warehouses,
  MIN(r.start_time) AS first_seen,
  MAX(r.start_time) AS last_seen
FROM runs AS r
LEFT JOIN statement_cost AS c ON c.statement_id = r.statement_id
WHERE (:group_key IS NULL OR r.group_key = :group_key)
GROUP BY r.group_key
