-- Statements in the window with a normalized text computed in SQL, so grouping of recurring queries runs
-- where the data is: string literals become ?, comments go, then digits and whitespace are deleted
-- (`translate`, far cheaper than a regex per match) and IN-lists collapse. Digits go everywhere, so
-- `events_2023` and `events_2024` group together. The fingerprint of each group's latest statement
-- (qopt.recommend.fingerprint) names the group, and groups that share a fingerprint are merged in Python.
-- Each regular expression runs only on the statements that need it.
WITH runs AS (
  SELECT
    statement_id, executed_by, warehouse_id, workspace_id, statement_text, start_time, total_duration_ms,
    spilled_local_bytes, read_bytes, execution_status,
    regexp_replace(
      translate(lower(
        CASE WHEN contains(unquoted, '--') OR contains(unquoted, '/*')
             THEN regexp_replace(regexp_replace(unquoted, '(?s)/[*].*?[*]/', ''), '--[^\n]*', '')
             ELSE unquoted END),
        '0123456789 \t\r\n', ''),
      'in[(][?,.]*[)]', 'in(?)') AS group_key
  FROM (
  SELECT
    h.statement_id, h.executed_by, h.compute.warehouse_id AS warehouse_id, h.workspace_id, h.statement_text,
    h.start_time, h.total_duration_ms, h.spilled_local_bytes, h.read_bytes, h.execution_status,
    CASE WHEN contains(h.statement_text, chr(39))
         THEN regexp_replace(h.statement_text, concat(chr(39), '[^', chr(39), ']*', chr(39)), '?')
         ELSE h.statement_text END AS unquoted
  FROM system.query.history AS h
  WHERE h.start_time >= :start AND h.start_time < :end
    AND h.statement_text IS NOT NULL
    AND (:user IS NULL OR lower(h.executed_by) = lower(:user))
    AND (:warehouse IS NULL OR h.compute.warehouse_id = :warehouse)
    AND (:workspace IS NULL OR h.workspace_id = :workspace)
    AND h.workspace_id IN (:workspaces)
  )
)
SELECT * FROM runs
