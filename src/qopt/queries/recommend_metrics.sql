-- uses: runs
-- Per recurring statement (normalized text): per-run averages of the execution metrics that the metric
-- insights read (qopt.recommend.metrics), and the most runs in one day that the result cache did not answer.
WITH per_run AS (
  SELECT
    r.group_key, h.read_bytes, h.read_files, h.pruned_files, h.spilled_local_bytes, h.shuffle_read_bytes,
    h.read_rows, h.produced_rows, h.total_duration_ms, h.waiting_at_capacity_duration_ms,
    h.waiting_for_compute_duration_ms, h.compilation_duration_ms, h.from_result_cache,
    to_date(h.start_time) AS day
  FROM runs AS r
  JOIN system.query.history AS h ON h.statement_id = r.statement_id
  WHERE h.start_time >= :start AND h.start_time < :end
),
daily AS (
  SELECT group_key, day, COUNT_IF(NOT coalesce(from_result_cache, FALSE)) AS uncached
  FROM per_run
  GROUP BY group_key, day
),
busiest AS (
  SELECT group_key, MAX(uncached) AS max_uncached_runs_in_day
  FROM daily
  GROUP BY group_key
)
SELECT
  p.group_key,
  COUNT(*) AS runs,
  AVG(coalesce(p.read_bytes, 0)) AS read_bytes,
  AVG(coalesce(p.read_files, 0)) AS read_files,
  AVG(coalesce(p.pruned_files, 0)) AS pruned_files,
  AVG(coalesce(p.spilled_local_bytes, 0)) AS spilled_local_bytes,
  AVG(coalesce(p.shuffle_read_bytes, 0)) AS shuffle_read_bytes,
  AVG(coalesce(p.read_rows, 0)) AS read_rows,
  AVG(coalesce(p.produced_rows, 0)) AS produced_rows,
  AVG(coalesce(p.total_duration_ms, 0)) AS total_duration_ms,
  AVG(coalesce(p.waiting_at_capacity_duration_ms, 0)) AS waiting_at_capacity_duration_ms,
  AVG(coalesce(p.waiting_for_compute_duration_ms, 0)) AS waiting_for_compute_duration_ms,
  AVG(coalesce(p.compilation_duration_ms, 0)) AS compilation_duration_ms,
  MAX(b.max_uncached_runs_in_day) AS max_uncached_runs_in_day
FROM per_run AS p
LEFT JOIN busiest AS b ON b.group_key = p.group_key
GROUP BY p.group_key
