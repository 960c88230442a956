-- Failed statements per user, warehouse and statement type over [:start, :end) — the offline answer to
-- "which queries are failing?". Aggregates only: error messages can quote SQL, so they are not shown.
SELECT
  executed_by,
  compute.warehouse_id AS warehouse_id,
  statement_type,
  COUNT(*) AS failures,
  MAX(end_time) AS last_failure
FROM system.query.history
WHERE start_time >= :start AND start_time < :end
  AND execution_status = 'FAILED'
GROUP BY ALL
ORDER BY failures DESC, last_failure DESC
