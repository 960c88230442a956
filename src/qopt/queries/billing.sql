-- Priced billing from :start to :end, summed per day and dimension. `period` says which window a row is in:
-- 'current' from :split, 'previous' from :previous_start, 'before' otherwise (month-to-date and trailing days
-- for the forecast come from the same rows).
SELECT
  CASE WHEN u.usage_start_time >= :split THEN 'current'
       WHEN u.usage_start_time >= :previous_start THEN 'previous' ELSE 'before' END AS period,
  u.usage_date AS day,
  u.workspace_id,
  u.sku_name,
  u.billing_origin_product AS product,
  u.usage_metadata.warehouse_id AS warehouse_id,
  coalesce(u.identity_metadata.run_as, u.identity_metadata.owned_by, u.identity_metadata.created_by) AS owner,
  SUM(CAST(u.usage_quantity AS DOUBLE) * CAST(p.pricing.default AS DOUBLE)) AS cost_usd,
  SUM(CAST(u.usage_quantity AS DOUBLE)) AS quantity
FROM system.billing.usage AS u
JOIN system.billing.list_prices AS p
  ON u.cloud = p.cloud AND u.sku_name = p.sku_name AND u.usage_start_time >= p.price_start_time
  AND (u.usage_end_time <= p.price_end_time OR p.price_end_time IS NULL)
WHERE u.usage_date >= :start_date AND u.usage_date <= :end_date
  AND u.usage_start_time >= :start AND u.usage_start_time < :end
  AND (:workspace IS NULL OR u.workspace_id = :workspace)
  AND u.workspace_id IN (:workspaces)
GROUP BY ALL
