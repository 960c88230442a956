-- uses: attribution
-- Attributed SQL-warehouse cost per user, and the idle cost, over the window's hours.
SELECT h.executed_by AS user_name, SUM(c.cost_usd) AS cost_usd
FROM statement_cost AS c
JOIN system.query.history AS h ON h.statement_id = c.statement_id
WHERE h.start_time >= :scan_start AND h.start_time < :end
  AND (:workspace IS NULL OR h.workspace_id = :workspace)
  AND h.workspace_id IN (:workspaces)
GROUP BY h.executed_by
