-- Priced billing from :start to :end, summed per day and dimension. `period` says which window a row is in:
-- 'current' from :split, 'previous' from :previous_start, 'before' otherwise (month-to-date and trailing days
-- for the forecast come from the same rows).
-- uses: priced_usage
SELECT
  CASE WHEN usage_start_time >= :split THEN 'current'
       WHEN usage_start_time >= :previous_start THEN 'previous' ELSE 'before' END AS period,
  usage_date AS day, workspace_id, sku_name, billing_origin_product AS product, warehouse_id, owner,
  SUM(cost_usd) AS cost_usd,
  SUM(quantity) AS quantity
FROM priced_usage
WHERE (:workspace IS NULL OR workspace_id = :workspace)
  AND workspace_id IN (:workspaces)
GROUP BY ALL
