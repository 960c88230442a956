-- When the query history inside the window begins and ends (NULLs when it holds nothing).
SELECT MIN(start_time) AS first_start, MAX(start_time) AS last_start, COUNT(*) AS statements
FROM system.query.history
WHERE start_time >= :start AND start_time < :end
  AND workspace_id IN (:workspaces)
