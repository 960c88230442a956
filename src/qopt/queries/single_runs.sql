-- uses: attribution, runs
-- Single statements (not grouped), for `top --each`. The caller appends ORDER BY and LIMIT :row_limit.
SELECT
  r.statement_id, r.executed_by, r.warehouse_id, r.workspace_id, r.start_time, r.execution_status,
  r.total_duration_ms, r.spilled_local_bytes AS spilled_bytes, r.read_bytes, r.statement_text, r.group_key,
  coalesce(c.cost_usd, 0) AS cost_usd
FROM runs AS r
LEFT JOIN statement_cost AS c ON c.statement_id = r.statement_id
