-- Statements in the window with a normalized text computed in SQL (lower case; string and number literals,
-- comments and whitespace folded; IN-lists collapsed), so grouping of recurring queries runs where the data
-- is. Digits are masked everywhere, so `events_2023` and `events_2024` group together; the fingerprint of
-- each group's latest statement (qopt.recommend.fingerprint) names it, and groups that share a fingerprint
-- are merged in Python.
WITH runs AS (
  SELECT
    h.statement_id, h.executed_by, h.compute.warehouse_id AS warehouse_id, h.workspace_id, h.statement_text,
    h.start_time, h.total_duration_ms, h.spilled_local_bytes, h.read_bytes, h.execution_status,
    md5(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      lower(h.statement_text),
      concat(chr(39), '[^', chr(39), ']*', chr(39)), '?'),
      '(?s)/[*].*?[*]/', ' '),
      '--[^\n]*', ' '),
      '[0-9]+([.][0-9]+)?', '?'),
      '[ \t\r\n]+', ' '),
      'in [(][?][?, ]*[)]', 'in (?)')) AS group_key
  FROM system.query.history AS h
  WHERE h.start_time >= :start AND h.start_time < :end
    AND h.statement_text IS NOT NULL
    AND (:user IS NULL OR lower(h.executed_by) = lower(:user))
    AND (:warehouse IS NULL OR h.compute.warehouse_id = :warehouse)
    AND (:workspace IS NULL OR h.workspace_id = :workspace)
    AND h.workspace_id IN (:workspaces)
)
SELECT * FROM runs
