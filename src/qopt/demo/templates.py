"""The statement templates of the demo workload, with what each one reads and which anti-patterns it carries.

A template is Databricks SQL with placeholders that vary per run:
`{from}` (the run's day minus a span of days), `{to}` (the run's day), `{year}`, `{n}` (a number),
`{region}`, `{cust}` (a customer id) and `{word}` (a search word). `render()` fills them the same way the
generator's SQL does, so tests and other areas can produce real statements.

The metrics of a run follow from the template's `scans`: which tables it reads, how many of their columns
(`"*"` = all), and how well its filter prunes files (`span`: the `{from}` window of date-clustered data, `day`:
one day, `all`: no pruning — a missing or non-sargable filter, `key`/`limit`: a few files, or a fixed fraction).

`ANTI_PATTERNS` is the machine-readable list of the SQL-text rule ids (reference/rules.md) that each template
carries on purpose; a template missing from the findings of a rule must not trigger it. `STAR_SIBLINGS` pairs a
`SELECT *` template with its explicit-column twin (same table and filter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

Prune = str | float

CATEGORIES = ("dashboard", "etl", "adhoc", "genie", "alert", "notebook")

REGIONS = ("EMEA", "AMER", "APAC", "LATAM")
WORDS = ("shoe", "gmail", "checkout", "jacket", "promo", "return")


@dataclass(frozen=True)
class Scan:
    table: str  # schema.table (catalog main)
    cols: int | str  # columns read, or "*" for all
    prune: Prune  # "span" | "day" | "all" | "key" | "limit" | fraction of files read


@dataclass(frozen=True)
class Template:
    key: str
    category: str
    sql: str
    statement_type: str
    scans: tuple[Scan, ...]
    out: float = 100  # produced rows: an int-like count of groups, or (< 1 or > 1 as float) a fraction of rows read
    out_is_fraction: bool = False
    sort: float = 0.0  # share of bytes read that a sort/hash aggregation must hold in memory (spills beyond)
    shuffle: float = 0.05  # shuffle_read_bytes / read_bytes
    write: float = 0.0  # written rows / rows read (ETL)
    spans: tuple[int, ...] = (7,)  # day spans for {from}
    n_range: tuple[int, int] = (10, 100)  # range of {n} (and the other lit2-driven placeholders)
    cpu: float = 1.0  # compute intensity per byte read
    weight: float = 1.0  # relative frequency within its category
    anti: frozenset[str] = field(default_factory=frozenset)


def _t(key: str, category: str, sql: str, scans: list[tuple[str, int | str, Prune]], *, stmt: str = "SELECT",
       anti: tuple[str, ...] = (), **kw) -> Template:
    return Template(key=key, category=category, sql=_clean(sql), statement_type=stmt,
                    scans=tuple(Scan(*s) for s in scans), anti=frozenset(anti), **kw)


def _clean(sql: str) -> str:
    lines = [line.rstrip() for line in sql.strip("\n").splitlines()]
    indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
    return "\n".join(l[indent:] for l in lines)


TEMPLATES: tuple[Template, ...] = (
    # ---------------------------------------------------------------- dashboards: Sales overview
    _t("dash_sales_revenue_by_day", "dashboard", """
        SELECT order_date, SUM(total_amount) AS revenue, COUNT(*) AS orders
        FROM main.sales.orders
        WHERE order_date >= '{from}' AND order_date <= '{to}'
        GROUP BY order_date
        """, [("sales.orders", 2, "span")], out=30, spans=(7, 14, 30), weight=3),
    _t("dash_sales_by_region", "dashboard", """
        SELECT region, channel, SUM(total_amount) AS revenue
        FROM main.sales.orders
        WHERE order_date >= '{from}'
        GROUP BY region, channel
        """, [("sales.orders", 4, "span")], out=12, spans=(7, 30), weight=3),
    _t("dash_sales_top_products", "dashboard", """
        SELECT p.category, p.name, SUM(i.amount) AS revenue
        FROM main.sales.order_items AS i
        JOIN main.sales.products AS p ON i.product_id = p.product_id
        WHERE i.order_date >= '{from}'
        GROUP BY p.category, p.name
        ORDER BY revenue DESC
        LIMIT {n}
        """, [("sales.order_items", 3, "span"), ("sales.products", 3, "all")], out=50, sort=0.05, shuffle=0.2,
       spans=(7, 30), n_range=(10, 50), weight=2),
    _t("dash_sales_yoy", "dashboard", """
        SELECT month(order_date) AS month, SUM(total_amount) AS revenue
        FROM main.sales.orders
        WHERE year(order_date) = {year}
        GROUP BY month(order_date)
        """, [("sales.orders", 2, "all")], out=12, anti=("non_sargable_predicate",), n_range=(0, 1), weight=2),
    _t("dash_sales_buyers_by_region", "dashboard", """
        SELECT region, COUNT(DISTINCT customer_id) AS buyers
        FROM main.sales.orders
        WHERE order_date >= '{from}'
        GROUP BY region
        """, [("sales.orders", 3, "span")], out=4, sort=0.3, shuffle=0.4, spans=(30, 90),
       anti=("count_distinct",), weight=2),
    _t("dash_sales_recent_orders", "dashboard", """
        SELECT *
        FROM main.sales.orders
        WHERE order_date >= '{from}'
        ORDER BY order_ts DESC
        """, [("sales.orders", "*", "span")], out=0.9, out_is_fraction=True, sort=1.0, spans=(1, 2),
       anti=("select_star", "unbounded_order_by"), weight=2),
    _t("dash_sales_recent_orders_cols", "dashboard", """
        SELECT order_id, customer_id, order_ts, total_amount
        FROM main.sales.orders
        WHERE order_date >= '{from}'
        ORDER BY order_ts DESC
        LIMIT 1000
        """, [("sales.orders", 4, "span")], out=1000, sort=0.02, spans=(1, 2), weight=2),
    # ---------------------------------------------------------------- dashboards: Web traffic
    _t("dash_web_events_by_type", "dashboard", """
        SELECT event_date, event_type, COUNT(*) AS events
        FROM main.web.events
        WHERE event_date >= '{from}'
        GROUP BY event_date, event_type
        """, [("web.events", 2, "span")], out=35, spans=(1, 7), weight=3),
    _t("dash_web_sessions_funnel", "dashboard", """
        SELECT session_date, SUM(CASE WHEN converted THEN 1 ELSE 0 END) AS conversions, COUNT(*) AS sessions
        FROM main.web.sessions
        WHERE session_date >= '{from}'
        GROUP BY session_date
        """, [("web.sessions", 2, "span")], out=14, spans=(7, 14), weight=2),
    _t("dash_web_unique_visitors", "dashboard", """
        SELECT event_date, COUNT(DISTINCT user_id) AS visitors
        FROM main.web.events
        WHERE event_date >= '{from}'
        GROUP BY event_date
        """, [("web.events", 2, "span")], out=7, sort=0.5, shuffle=0.6, spans=(7,), anti=("count_distinct",),
       weight=2),
    _t("dash_web_page_search", "dashboard", """
        SELECT page_url, COUNT(*) AS views
        FROM main.web.events
        WHERE event_date >= '{from}' AND page_url LIKE '%{word}%'
        GROUP BY page_url
        ORDER BY views DESC
        LIMIT 50
        """, [("web.events", 2, "span")], out=50, spans=(1, 3), anti=("leading_wildcard_like",), cpu=1.6),
    _t("dash_web_device_mix", "dashboard", """
        SELECT device, country, COUNT(*) AS sessions
        FROM main.web.sessions
        WHERE session_date = '{to}'
        GROUP BY device, country
        """, [("web.sessions", 3, "day")], out=24, weight=2),
    _t("dash_web_hourly_traffic", "dashboard", """
        SELECT hour(event_ts) AS hour, COUNT(*) AS events
        FROM main.web.events
        WHERE date(event_ts) = '{to}'
        GROUP BY hour(event_ts)
        """, [("web.events", 1, "all")], out=24, anti=("non_sargable_predicate",), weight=2),
    # ---------------------------------------------------------------- dashboards: Finance
    _t("dash_fin_ar_aging", "dashboard", """
        SELECT status,
               CASE WHEN datediff('{to}', due_date) <= 0 THEN 'current'
                    WHEN datediff('{to}', due_date) <= 30 THEN '1-30'
                    WHEN datediff('{to}', due_date) <= 90 THEN '31-90'
                    ELSE '90+' END AS bucket,
               SUM(amount) AS amount
        FROM main.finance.invoices
        WHERE invoice_date >= '{from}'
        GROUP BY ALL
        """, [("finance.invoices", 3, "span")], out=12, spans=(90, 180), weight=2),
    _t("dash_fin_overdue", "dashboard", """
        SELECT *
        FROM main.finance.invoices
        WHERE invoice_date >= '{from}' AND status = 'OPEN'
        """, [("finance.invoices", "*", "span")], out=0.3, out_is_fraction=True, spans=(30, 60),
       anti=("select_star",), weight=2),
    _t("dash_fin_overdue_cols", "dashboard", """
        SELECT invoice_id, customer_id, due_date, amount
        FROM main.finance.invoices
        WHERE invoice_date >= '{from}' AND status = 'OPEN'
        """, [("finance.invoices", 5, "span")], out=0.3, out_is_fraction=True, spans=(30, 60), weight=2),
    _t("dash_fin_cash_daily", "dashboard", """
        SELECT payment_date, method, SUM(amount) AS received
        FROM main.finance.payments
        WHERE payment_date >= '{from}'
        GROUP BY payment_date, method
        """, [("finance.payments", 3, "span")], out=120, spans=(30,), weight=2),
    _t("dash_fin_unpaid", "dashboard", """
        SELECT COUNT(*) AS invoices, SUM(amount) AS amount
        FROM main.finance.invoices
        WHERE invoice_date >= '{from}'
          AND invoice_id NOT IN (SELECT invoice_id FROM main.finance.payments)
        """, [("finance.invoices", 3, "span"), ("finance.payments", 1, "all")], out=1, sort=0.4, shuffle=0.5,
       spans=(30, 90), anti=("not_in_subquery",)),
    # ---------------------------------------------------------------- dashboards: Executive KPIs
    _t("dash_exec_kpis", "dashboard", """
        SELECT r.revenue, r.orders, s.sessions, try_divide(r.orders, s.sessions) AS conversion
        FROM (SELECT SUM(total_amount) AS revenue, COUNT(*) AS orders
              FROM main.sales.orders WHERE order_date >= '{from}') AS r
        CROSS JOIN (SELECT COUNT(*) AS sessions
                    FROM main.web.sessions WHERE session_date >= '{from}') AS s
        """, [("sales.orders", 2, "span"), ("web.sessions", 1, "span")], out=1, spans=(1, 7, 30), weight=2),
    _t("dash_exec_active_customers", "dashboard", """
        SELECT COUNT(*) AS active_customers
        FROM (SELECT customer_id FROM main.sales.orders WHERE order_date >= '{from}'
              UNION
              SELECT customer_id FROM main.web.sessions WHERE session_date >= '{from}') AS u
        """, [("sales.orders", 2, "span"), ("web.sessions", 2, "span")], out=1, sort=0.4, shuffle=0.8,
       spans=(30,), anti=("union_distinct",)),
    _t("dash_exec_margin", "dashboard", """
        SELECT o.region, SUM(i.amount - i.quantity * p.unit_cost) AS margin
        FROM main.sales.order_items AS i
        JOIN main.sales.products AS p ON p.product_id = i.product_id
        JOIN main.sales.orders AS o ON o.order_id = i.order_id
        WHERE i.order_date >= '{from}' AND o.order_date >= '{from}'
        GROUP BY o.region
        """, [("sales.order_items", 5, "span"), ("sales.products", 2, "all"), ("sales.orders", 3, "span")],
       out=4, sort=0.1, shuffle=0.7, spans=(30, 90), cpu=1.3),
    # ---------------------------------------------------------------- dashboards: Marketing
    _t("dash_mkt_spend_by_channel", "dashboard", """
        SELECT c.channel, SUM(a.spend) AS spend, SUM(a.clicks) AS clicks
        FROM main.marketing.ad_spend AS a
        JOIN main.marketing.campaigns AS c ON c.campaign_id = a.campaign_id
        WHERE a.spend_date >= '{from}'
        GROUP BY c.channel
        """, [("marketing.ad_spend", 4, "span"), ("marketing.campaigns", 2, "all")], out=4, spans=(7, 30), weight=2),
    _t("dash_mkt_campaign_spend", "dashboard", """
        SELECT c.campaign_id, c.name,
               (SELECT SUM(a.spend) FROM main.marketing.ad_spend AS a WHERE a.campaign_id = c.campaign_id) AS spend
        FROM main.marketing.campaigns AS c
        WHERE c.end_date >= '{from}'
        """, [("marketing.campaigns", 3, "all"), ("marketing.ad_spend", 2, "all")], out=60, shuffle=0.3, spans=(30,),
       anti=("correlated_subquery",)),
    _t("dash_mkt_conversions_by_country", "dashboard", """
        SELECT country, COUNT(*) AS conversions
        FROM main.web.sessions
        WHERE session_date >= '{from}' AND converted
        GROUP BY country
        """, [("web.sessions", 3, "span")], out=40, spans=(7, 30)),
    # ---------------------------------------------------------------- dashboards: Operations
    _t("dash_ops_stock_by_site", "dashboard", """
        SELECT warehouse_code, SUM(on_hand) AS on_hand, SUM(reserved) AS reserved
        FROM main.ops.inventory
        WHERE snapshot_date = '{to}'
        GROUP BY warehouse_code
        """, [("ops.inventory", 3, "day")], out=3, weight=2),
    _t("dash_ops_low_stock", "dashboard", """
        SELECT i.product_id, p.name, i.warehouse_code, i.on_hand
        FROM main.ops.inventory AS i
        JOIN main.sales.products AS p ON p.product_id = i.product_id
        WHERE i.snapshot_date = '{to}' AND i.on_hand < {n}
        LIMIT 500
        """, [("ops.inventory", 4, "day"), ("sales.products", 2, "all")], out=300, n_range=(10, 50)),
    _t("dash_ops_stock_history", "dashboard", """
        SELECT snapshot_date, SUM(on_hand) AS on_hand
        FROM main.ops.inventory
        WHERE CAST(snapshot_date AS STRING) >= '{from}'
        GROUP BY snapshot_date
        """, [("ops.inventory", 2, "all")], out=90, spans=(90,), anti=("non_sargable_predicate",)),
    # ---------------------------------------------------------------- ETL (job tasks on SQL warehouses)
    _t("etl_daily_revenue_delete", "etl", """
        DELETE FROM main.gold.daily_revenue WHERE revenue_date = '{to}'
        """, [("gold.daily_revenue", 1, "all")], stmt="DELETE", out=0, write=0.002),
    _t("etl_daily_revenue_insert", "etl", """
        INSERT INTO main.gold.daily_revenue
        SELECT order_date AS revenue_date, region, channel, COUNT(*) AS orders, SUM(total_amount) AS revenue
        FROM main.sales.orders
        WHERE order_date = '{to}'
        GROUP BY order_date, region, channel
        """, [("sales.orders", 4, "day")], stmt="INSERT", out=0, write=0.000002),
    _t("etl_orders_merge", "etl", """
        MERGE INTO main.sales.orders AS t
        USING main.staging.order_updates AS s
        ON t.order_id = s.order_id
        WHEN MATCHED THEN UPDATE SET status = s.status, total_amount = s.total_amount
        """, [("staging.order_updates", 3, "all"), ("sales.orders", 3, 0.04)], stmt="MERGE", out=0, sort=0.2,
       shuffle=0.6, write=0.004, cpu=1.5, weight=2),
    _t("etl_customers_merge", "etl", """
        MERGE INTO main.sales.customers AS t
        USING main.staging.customer_updates AS s
        ON t.customer_id = s.customer_id
        WHEN MATCHED THEN UPDATE SET email = s.email, segment = s.segment
        WHEN NOT MATCHED THEN INSERT (customer_id, email, segment) VALUES (s.customer_id, s.email, s.segment)
        """, [("staging.customer_updates", 3, "all"), ("sales.customers", 3, "all")], stmt="MERGE", out=0,
       shuffle=0.8, write=0.05),
    _t("etl_customer_360_ctas", "etl", """
        CREATE OR REPLACE TABLE main.gold.customer_360 AS
        SELECT c.customer_id, c.segment, COUNT(o.order_id) AS orders, SUM(o.total_amount) AS revenue,
               MAX(o.order_date) AS last_order
        FROM main.sales.customers AS c
        LEFT JOIN main.sales.orders AS o ON o.customer_id = c.customer_id
        GROUP BY c.customer_id, c.segment
        """, [("sales.customers", 2, "all"), ("sales.orders", 4, "all")], stmt="CREATE", out=0, sort=0.3,
       shuffle=0.9, write=0.013, cpu=1.2),
    _t("etl_sessions_insert", "etl", """
        INSERT INTO main.web.sessions
        SELECT session_id, MIN(user_id) AS customer_id, MIN(event_ts) AS started_at, MIN(event_date) AS session_date,
               CAST(timestampdiff(SECOND, MIN(event_ts), MAX(event_ts)) AS INT) AS duration_s,
               CAST(COUNT(*) AS INT) AS pages, MIN(device) AS device, MIN(country) AS country,
               MAX(event_type = 'purchase') AS converted
        FROM main.web.events
        WHERE event_date = '{to}'
        GROUP BY session_id
        """, [("web.events", 6, "day")], stmt="INSERT", out=0, sort=0.4, shuffle=0.7, write=0.15, weight=2),
    _t("etl_funnel_ctas", "etl", """
        CREATE OR REPLACE TABLE main.gold.funnel_daily AS
        SELECT event_date, event_type, COUNT(*) AS events, COUNT(DISTINCT user_id) AS users
        FROM main.web.events
        WHERE event_date >= '{from}'
        GROUP BY event_date, event_type
        """, [("web.events", 3, "span")], stmt="CREATE", out=0, sort=0.5, shuffle=0.6, write=0.000001,
       spans=(30,), anti=("count_distinct",)),
    _t("etl_invoices_from_orders", "etl", """
        INSERT INTO main.finance.invoices
        SELECT o.order_id + 600000 AS invoice_id, o.order_id, o.customer_id, o.order_date AS invoice_date,
               date_add(o.order_date, 30) AS due_date, o.total_amount AS amount, o.currency, 'OPEN' AS status
        FROM main.sales.orders AS o
        WHERE o.order_date = '{to}'
          AND NOT EXISTS (SELECT 1 FROM main.finance.invoices AS i WHERE i.order_id = o.order_id)
        """, [("sales.orders", 6, "day"), ("finance.invoices", 1, "span")], stmt="INSERT", out=0, shuffle=0.5,
       write=0.8, spans=(7,)),
    _t("etl_payments_insert", "etl", """
        INSERT INTO main.finance.payments
        SELECT payment_id, invoice_id, paid_at, CAST(paid_at AS DATE) AS payment_date, amount, method
        FROM main.staging.payment_feed
        """, [("staging.payment_feed", 5, "all")], stmt="INSERT", out=0, write=1.0),
    _t("etl_inventory_snapshot", "etl", """
        INSERT INTO main.ops.inventory
        SELECT DATE '{to}' AS snapshot_date, product_id, warehouse_code, on_hand, reserved
        FROM main.staging.inventory_feed
        """, [("staging.inventory_feed", 4, "all")], stmt="INSERT", out=0, write=1.0),
    _t("etl_ad_spend_merge", "etl", """
        MERGE INTO main.marketing.ad_spend AS t
        USING main.staging.ad_spend_feed AS s
        ON t.spend_date = s.spend_date AND t.campaign_id = s.campaign_id
        WHEN MATCHED THEN UPDATE SET impressions = s.impressions, clicks = s.clicks, spend = s.spend
        WHEN NOT MATCHED THEN INSERT (spend_date, campaign_id, channel, impressions, clicks, spend)
          VALUES (s.spend_date, s.campaign_id, s.channel, s.impressions, s.clicks, s.spend)
        """, [("staging.ad_spend_feed", 6, "all"), ("marketing.ad_spend", 3, 0.05)], stmt="MERGE", out=0,
       shuffle=0.7, write=0.01),
    _t("etl_all_contacts_rebuild", "etl", """
        CREATE OR REPLACE TABLE main.gold.all_contacts AS
        SELECT * FROM main.sales.customers
        UNION
        SELECT * FROM main.staging.crm_contacts
        """, [("sales.customers", "*", "all"), ("staging.crm_contacts", "*", "all")], stmt="CREATE", out=0,
       sort=0.6, shuffle=1.0, write=1.0, anti=("select_star", "union_distinct")),
    _t("etl_events_dedup", "etl", """
        INSERT INTO main.gold.events_dedup
        SELECT event_id, event_ts, event_date, user_id, event_type, page_url
        FROM (SELECT event_id, event_ts, event_date, user_id, event_type, page_url,
                     row_number() OVER (PARTITION BY event_id ORDER BY event_ts) AS rn
              FROM main.web.events
              WHERE event_date = '{to}') AS e
        WHERE rn = 1
        """, [("web.events", 6, "day")], stmt="INSERT", out=0, sort=0.6, shuffle=1.1, write=0.95, weight=2),
    _t("etl_customer_360_refresh_scores", "etl", """
        UPDATE main.gold.customer_360
        SET segment = 'enterprise'
        WHERE revenue > 100000 AND segment <> 'enterprise'
        """, [("gold.customer_360", 3, "all")], stmt="UPDATE", out=0, write=0.001),
    # ---------------------------------------------------------------- ad-hoc exploration (SQL editor, BI tools)
    _t("adhoc_orders_peek", "adhoc", """
        SELECT * FROM main.sales.orders LIMIT 100
        """, [("sales.orders", "*", "limit")], out=100, anti=("select_star",), weight=3),
    _t("adhoc_customer_lookup", "adhoc", """
        SELECT customer_id, name, email, segment
        FROM main.sales.customers
        WHERE customer_id = {cust}
        """, [("sales.customers", 4, "key")], out=1, n_range=(0, 299), weight=3),
    _t("adhoc_customer_orders", "adhoc", """
        SELECT *
        FROM main.sales.orders
        WHERE customer_id = {cust}
        """, [("sales.orders", "*", "all")], out=40, n_range=(0, 299), anti=("select_star",), weight=2),
    _t("adhoc_customer_orders_cols", "adhoc", """
        SELECT order_id, order_date, total_amount
        FROM main.sales.orders
        WHERE customer_id = {cust}
        """, [("sales.orders", 4, "all")], out=40, n_range=(0, 299), weight=2),
    _t("adhoc_email_search", "adhoc", """
        SELECT customer_id, name, email
        FROM main.sales.customers
        WHERE email LIKE '%{word}%'
        """, [("sales.customers", 3, "all")], out=5000, cpu=1.8, anti=("leading_wildcard_like",), weight=2),
    _t("adhoc_biggest_orders", "adhoc", """
        SELECT order_id, customer_id, total_amount
        FROM main.sales.orders
        WHERE order_date >= '{from}'
        ORDER BY total_amount DESC
        """, [("sales.orders", 4, "span")], out=1.0, out_is_fraction=True, sort=1.0, spans=(30, 60, 90),
       anti=("unbounded_order_by",), weight=2),
    _t("adhoc_events_sample", "adhoc", """
        SELECT event_id, event_type, page_url
        FROM main.web.events
        WHERE event_date >= '{from}'
        ORDER BY rand()
        LIMIT 1000
        """, [("web.events", 4, "span")], out=1000, sort=0.3, spans=(1, 7), anti=("order_by_rand",)),
    _t("adhoc_region_category_matrix", "adhoc", """
        SELECT c.customer_id, p.product_id, p.category
        FROM main.sales.customers AS c, main.sales.products AS p
        WHERE p.category = '{word}' AND c.region = '{region}'
        """, [("sales.customers", 2, "all"), ("sales.products", 3, "all")], out=12.0, out_is_fraction=True,
       shuffle=3.0, cpu=2.0, anti=("cartesian_join",)),
    _t("adhoc_inactive_customers", "adhoc", """
        SELECT customer_id, email
        FROM main.sales.customers
        WHERE customer_id NOT IN (SELECT customer_id FROM main.sales.orders WHERE order_date >= '{from}')
        """, [("sales.customers", 2, "all"), ("sales.orders", 2, "span")], out=0.2, out_is_fraction=True,
       sort=0.3, shuffle=0.6, spans=(90, 180), anti=("not_in_subquery",)),
    _t("adhoc_distinct_regions", "adhoc", """
        SELECT DISTINCT region, COUNT(*) AS orders
        FROM main.sales.orders
        WHERE order_date >= '{from}'
        GROUP BY region
        """, [("sales.orders", 1, "span")], out=4, spans=(7, 30), anti=("distinct_with_group_by",)),
    _t("adhoc_order_invoice_match", "adhoc", """
        SELECT o.order_id, i.invoice_id, o.total_amount, i.amount
        FROM main.sales.orders AS o
        JOIN main.finance.invoices AS i ON o.order_id = i.order_id OR o.customer_id = i.customer_id
        WHERE o.order_date >= '{from}' AND i.invoice_date >= '{from}'
        LIMIT 1000
        """, [("sales.orders", 4, "span"), ("finance.invoices", 4, "span")], out=1000, shuffle=2.0, cpu=3.0,
       spans=(1, 3), anti=("join_on_or",)),
    _t("adhoc_purchases_dump", "adhoc", """
        SELECT *
        FROM main.web.events
        WHERE date(event_ts) = '{to}' AND event_type = 'purchase'
        """, [("web.events", "*", "all")], out=0.0005, out_is_fraction=True,
       anti=("select_star", "non_sargable_predicate"), weight=0.3),
    _t("adhoc_revenue_by_segment", "adhoc", """
        SELECT c.segment, SUM(o.total_amount) AS revenue
        FROM main.sales.orders AS o
        JOIN main.sales.customers AS c ON c.customer_id = o.customer_id
        WHERE o.order_date >= '{from}'
        GROUP BY c.segment
        """, [("sales.orders", 3, "span"), ("sales.customers", 2, "all")], out=3, shuffle=0.4, spans=(7, 30, 90),
       weight=2),
    _t("adhoc_payment_methods", "adhoc", """
        SELECT method, COUNT(*) AS payments, AVG(amount) AS avg_amount
        FROM main.finance.payments
        WHERE payment_date >= '{from}'
        GROUP BY method
        """, [("finance.payments", 3, "span")], out=4, spans=(7, 30)),
    _t("adhoc_last_invoice_per_customer", "adhoc", """
        SELECT c.customer_id, c.name,
               (SELECT MAX(i.invoice_date) FROM main.finance.invoices AS i WHERE i.customer_id = c.customer_id)
                 AS last_invoice
        FROM main.sales.customers AS c
        WHERE c.region = '{region}'
        """, [("sales.customers", 3, "all"), ("finance.invoices", 2, "all")], out=0.25, out_is_fraction=True,
       shuffle=0.5, n_range=(0, 3), anti=("correlated_subquery",)),
    _t("adhoc_session_length", "adhoc", """
        SELECT device, AVG(duration_s) AS avg_s, percentile_approx(duration_s, 0.9) AS p90_s
        FROM main.web.sessions
        WHERE session_date >= '{from}'
        GROUP BY device
        """, [("web.sessions", 3, "span")], out=3, spans=(7, 30)),
    _t("adhoc_product_search", "adhoc", """
        SELECT product_id, name, list_price
        FROM main.sales.products
        WHERE name ILIKE '%{word}%'
        """, [("sales.products", 3, "all")], out=20, anti=("leading_wildcard_like",)),
    _t("adhoc_sorted_subquery", "adhoc", """
        SELECT region, SUM(total_amount) AS revenue
        FROM (SELECT region, total_amount, order_ts
              FROM main.sales.orders
              WHERE order_date >= '{from}'
              ORDER BY order_ts) AS t
        GROUP BY region
        """, [("sales.orders", 3, "span")], out=4, sort=0.8, spans=(14, 30), anti=("order_by_in_subquery",)),
    _t("adhoc_customers_by_region", "adhoc", """
        SELECT *
        FROM main.sales.customers
        WHERE region = '{region}'
        """, [("sales.customers", "*", "all")], out=0.25, out_is_fraction=True, n_range=(0, 3),
       anti=("select_star",), weight=2),
    _t("adhoc_customers_by_region_cols", "adhoc", """
        SELECT customer_id, name, segment
        FROM main.sales.customers
        WHERE region = '{region}'
        """, [("sales.customers", 3, "all")], out=0.25, out_is_fraction=True, n_range=(0, 3), weight=2),
    _t("adhoc_describe_orders", "adhoc", """
        DESCRIBE TABLE main.sales.orders
        """, [], stmt="DESCRIBE", out=10),
    _t("adhoc_top_pages", "adhoc", """
        SELECT page_url, COUNT(*) AS views
        FROM main.web.events
        WHERE event_date = '{to}'
        GROUP BY page_url
        ORDER BY views DESC
        LIMIT 20
        """, [("web.events", 2, "day")], out=20),
    # ---------------------------------------------------------------- Genie (natural-language questions)
    _t("genie_top_customers", "genie", """
        SELECT c.name, SUM(o.total_amount) AS revenue
        FROM main.sales.orders AS o
        JOIN main.sales.customers AS c ON o.customer_id = c.customer_id
        WHERE o.order_date >= '{from}'
        GROUP BY c.name
        ORDER BY revenue DESC
        LIMIT {n}
        """, [("sales.orders", 3, "span"), ("sales.customers", 2, "all")], out=10, sort=0.1, shuffle=0.4,
       spans=(30, 90), n_range=(5, 20), weight=2),
    _t("genie_revenue_trend", "genie", """
        SELECT date_trunc('WEEK', order_date) AS week, SUM(total_amount) AS revenue
        FROM main.sales.orders
        WHERE order_date >= '{from}'
        GROUP BY ALL
        ORDER BY week
        """, [("sales.orders", 2, "span")], out=13, spans=(90,), anti=("unbounded_order_by",), weight=2),
    _t("genie_sessions_by_country", "genie", """
        SELECT country, COUNT(*) AS sessions
        FROM main.web.sessions
        WHERE session_date >= '{from}'
        GROUP BY country
        ORDER BY sessions DESC
        LIMIT 20
        """, [("web.sessions", 2, "span")], out=20, spans=(7, 30)),
    _t("genie_overdue_by_customer", "genie", """
        SELECT customer_id, SUM(amount) AS overdue
        FROM main.finance.invoices
        WHERE status = 'OPEN' AND due_date < '{to}' AND invoice_date >= '{from}'
        GROUP BY customer_id
        ORDER BY overdue DESC
        LIMIT {n}
        """, [("finance.invoices", 4, "span")], out=10, spans=(90, 180), n_range=(5, 25)),
    _t("genie_avg_order_value", "genie", """
        SELECT region, AVG(total_amount) AS avg_order_value
        FROM main.sales.orders
        WHERE order_date BETWEEN '{from}' AND '{to}'
        GROUP BY region
        """, [("sales.orders", 2, "span")], out=4, spans=(7, 30)),
    _t("genie_campaign_clicks", "genie", """
        SELECT c.name, SUM(a.clicks) AS clicks
        FROM main.marketing.ad_spend AS a
        JOIN main.marketing.campaigns AS c ON a.campaign_id = c.campaign_id
        WHERE a.spend_date >= '{from}'
        GROUP BY c.name
        ORDER BY clicks DESC
        LIMIT 10
        """, [("marketing.ad_spend", 2, "span"), ("marketing.campaigns", 2, "all")], out=10, spans=(30,)),
    # ---------------------------------------------------------------- SQL alerts
    _t("alert_negative_payments", "alert", """
        SELECT COUNT(*) AS negative_payments
        FROM main.finance.payments
        WHERE payment_date = '{to}' AND amount < 0
        """, [("finance.payments", 2, "day")], out=1),
    _t("alert_orders_today", "alert", """
        SELECT COUNT(*) AS orders
        FROM main.sales.orders
        WHERE order_date = '{to}'
        """, [("sales.orders", 1, "day")], out=1),
    # ---------------------------------------------------------------- notebooks attached to SQL warehouses
    _t("nb_signup_cohorts", "notebook", """
        SELECT date_trunc('MONTH', c.signup_date) AS cohort, COUNT(DISTINCT o.customer_id) AS buyers
        FROM main.sales.customers AS c
        JOIN main.sales.orders AS o ON o.customer_id = c.customer_id
        WHERE o.order_date >= '{from}'
        GROUP BY 1
        """, [("sales.customers", 2, "all"), ("sales.orders", 2, "span")], out=48, sort=0.4, shuffle=0.6,
       spans=(90, 180), anti=("count_distinct",)),
    _t("nb_user_features", "notebook", """
        SELECT user_id, COUNT(*) AS events, MAX(event_ts) AS last_seen
        FROM main.web.events
        WHERE event_date >= '{from}'
        GROUP BY user_id
        """, [("web.events", 2, "span")], out=0.01, out_is_fraction=True, sort=0.3, shuffle=0.4, spans=(7, 14)),
    _t("nb_basket_size", "notebook", """
        SELECT order_id, COUNT(*) AS lines, SUM(quantity) AS units
        FROM main.sales.order_items
        WHERE order_date >= '{from}'
        GROUP BY order_id
        HAVING COUNT(*) > 3
        """, [("sales.order_items", 2, "span")], out=0.05, out_is_fraction=True, sort=0.3, shuffle=0.3,
       spans=(7, 30)),
)

BY_KEY: dict[str, Template] = {t.key: t for t in TEMPLATES}

# Template key -> the SQL-text rule ids it carries on purpose (empty: a clean template).
ANTI_PATTERNS: dict[str, frozenset[str]] = {t.key: t.anti for t in TEMPLATES}

# (SELECT * template, its explicit-column twin over the same table and filter).
STAR_SIBLINGS: tuple[tuple[str, str], ...] = (
    ("dash_sales_recent_orders", "dash_sales_recent_orders_cols"),
    ("dash_fin_overdue", "dash_fin_overdue_cols"),
    ("adhoc_customer_orders", "adhoc_customer_orders_cols"),
    ("adhoc_customers_by_region", "adhoc_customers_by_region_cols"),
)


def render(template: Template, day: date, span: int | None = None, n: int | None = None) -> str:
    """The statement a run on `day` executes (the generator's SQL expansion does the same substitutions)."""
    span = template.spans[0] if span is None else span
    n = template.n_range[0] if n is None else n
    values = {
        "{from}": (day - timedelta(days=span)).isoformat(),
        "{to}": day.isoformat(),
        "{year}": str(day.year - n % 2),
        "{n}": str(n),
        "{region}": REGIONS[n % len(REGIONS)],
        "{cust}": str(1000 + n),
        "{word}": WORDS[n % len(WORDS)],
    }
    text = template.sql
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text
