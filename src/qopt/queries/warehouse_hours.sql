-- uses: attribution
-- Billed, attributed (busy) and idle cost per warehouse over the window.
SELECT warehouse_id, SUM(billed_usd) AS billed_usd, SUM(attributed_usd) AS attributed_usd, SUM(idle_usd) AS idle_usd,
       SUM(busy_ms) AS busy_ms, SUM(up_ms) AS up_ms
FROM warehouse_hour_cost
GROUP BY warehouse_id
