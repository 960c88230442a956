-- Failed statements started in the window, optionally for one user, warehouse or workspace (alerts);
-- :workspaces is the allow-list of the channel (a list parameter, NULL = all).
SELECT COUNT(*) AS failed
FROM system.query.history AS h
WHERE h.start_time >= :start AND h.start_time < :end
  AND h.execution_status = 'FAILED'
  AND (:user IS NULL OR lower(h.executed_by) = lower(:user))
  AND (:warehouse IS NULL OR h.compute.warehouse_id = :warehouse)
  AND (:workspace IS NULL OR h.workspace_id = :workspace)
  AND h.workspace_id IN (:workspaces)
