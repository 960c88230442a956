-- uses: attribution, runs
-- Runs, cost and duration percentiles per day of one recurring statement (its normalized text).
SELECT
  to_date(r.start_time) AS day,
  COUNT(*) AS runs,
  SUM(coalesce(c.cost_usd, 0)) AS cost_usd,
  percentile(r.total_duration_ms, 0.5) AS p50_duration_ms,
  percentile(r.total_duration_ms, 0.95) AS p95_duration_ms
FROM runs AS r
LEFT JOIN statement_cost AS c ON c.statement_id = r.statement_id
WHERE r.group_key = :group_key
GROUP BY to_date(r.start_time)
ORDER BY day
