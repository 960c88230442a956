-- Billing rows of the window priced with list prices, with the join Databricks' own dashboards use.
-- All record types (ORIGINAL, RETRACTION, RESTATEMENT) are kept: summed, they give the corrected quantity.
WITH priced_usage AS (
  SELECT
    u.workspace_id, u.sku_name, u.billing_origin_product, u.usage_date, u.usage_start_time,
    u.usage_metadata.warehouse_id AS warehouse_id,
    coalesce(u.identity_metadata.run_as, u.identity_metadata.owned_by, u.identity_metadata.created_by) AS owner,
    CAST(u.usage_quantity AS DOUBLE) AS quantity,
    CAST(u.usage_quantity AS DOUBLE) * CAST(p.pricing.default AS DOUBLE) AS cost_usd
  FROM system.billing.usage AS u
  JOIN system.billing.list_prices AS p
    ON u.cloud = p.cloud AND u.sku_name = p.sku_name AND u.usage_start_time >= p.price_start_time
    AND (u.usage_end_time <= p.price_end_time OR p.price_end_time IS NULL)
  WHERE u.usage_date >= :start_date AND u.usage_date <= :end_date
    AND u.usage_start_time >= :start AND u.usage_start_time < :end
    AND u.workspace_id IN (:workspaces)  -- the allow-list of qopt.policy (a list parameter; NULL = all)
)
SELECT * FROM priced_usage
