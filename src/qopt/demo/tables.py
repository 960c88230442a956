"""The demo account's own data tables (`main.sales.orders`, `main.web.events`, ...).

Each table has two faces:
- its *logical* size in the imagined production account (bytes, files, rows, days of date-clustered history),
  from which the workload derives the metrics of every statement that reads it;
- a small *physical* copy in the embedded DuckDB file (a few hundred deterministic rows), in a schema named
  after the Databricks schema with the catalog dropped (`main.sales.orders` is DuckDB `sales.orders`), so that
  the recommendation engine can read table schemas and run rewritten SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

GB = 1024**3
TB = 1024**4


@dataclass(frozen=True)
class Table:
    name: str  # schema.table (the catalog is always `main`)
    columns: tuple[tuple[str, str], ...]  # (name, type valid in Databricks and DuckDB)
    bytes: int  # logical size in production
    files: int
    rows: int
    days: int  # days of history the table is clustered by (0: not date-clustered)
    fill: str  # DuckDB SELECT over range(n) AS r(i) producing the physical rows, column order as `columns`
    physical_rows: int = 300

    @property
    def full_name(self) -> str:
        return f"main.{self.name}"

    @property
    def ncols(self) -> int:
        return len(self.columns)


_REGION = "['EMEA', 'AMER', 'APAC', 'LATAM'][i % 4 + 1]"
_COUNTRY = "['DE', 'US', 'JP', 'BR', 'FR', 'GB', 'IN', 'MX'][i % 8 + 1]"
_DAY = "DATE '2026-01-01' + CAST((i * 37) % 330 AS INTEGER)"

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "sales.orders",
            (("order_id", "BIGINT"), ("customer_id", "BIGINT"), ("order_date", "DATE"), ("order_ts", "TIMESTAMP"),
             ("status", "STRING"), ("region", "STRING"), ("channel", "STRING"), ("total_amount", "DECIMAL(12,2)"),
             ("discount", "DECIMAL(12,2)"), ("currency", "STRING")),
            int(2.4 * TB), 48_000, 9_000_000_000, 1460,
            f"""SELECT 100000 + i, 1000 + (i * 7919) % 300, {_DAY},
                CAST({_DAY} AS TIMESTAMP) + INTERVAL (i * 613 % 86400) SECOND,
                ['OPEN', 'SHIPPED', 'DELIVERED', 'RETURNED'][i % 4 + 1], {_REGION},
                ['web', 'store', 'partner'][i % 3 + 1], CAST(10 + (i * 97) % 990 AS DECIMAL(12,2)) + 0.99,
                CAST((i * 13) % 20 AS DECIMAL(12,2)), ['EUR', 'USD', 'JPY'][i % 3 + 1] FROM range(400) r(i)""",
            400,
        ),
        Table(
            "sales.order_items",
            (("order_id", "BIGINT"), ("line_no", "INT"), ("order_date", "DATE"), ("product_id", "BIGINT"),
             ("quantity", "INT"), ("unit_price", "DECIMAL(12,2)"), ("amount", "DECIMAL(12,2)")),
            int(3.1 * TB), 61_000, 27_000_000_000, 1460,
            f"""SELECT 100000 + i // 2, i % 2 + 1, DATE '2026-01-01' + CAST(((i // 2) * 37) % 330 AS INTEGER),
                500 + (i * 31) % 120, 1 + i % 5, CAST(5 + (i * 7) % 95 AS DECIMAL(12,2)),
                CAST((1 + i % 5) * (5 + (i * 7) % 95) AS DECIMAL(12,2)) FROM range(800) r(i)""",
            800,
        ),
        Table(
            "sales.customers",
            (("customer_id", "BIGINT"), ("name", "STRING"), ("email", "STRING"), ("country", "STRING"),
             ("region", "STRING"), ("segment", "STRING"), ("signup_date", "DATE"), ("lifetime_value", "DECIMAL(12,2)")),
            int(42 * GB), 840, 120_000_000, 0,
            f"""SELECT 1000 + i, 'Customer ' || i,
                'customer' || i || ['@gmail.com', '@example.org', '@corp.example.com'][i % 3 + 1],
                {_COUNTRY}, {_REGION}, ['consumer', 'smb', 'enterprise'][i % 3 + 1],
                DATE '2022-01-01' + CAST((i * 53) % 1400 AS INTEGER), CAST((i * 211) % 20000 AS DECIMAL(12,2))
                FROM range(300) r(i)""",
        ),
        Table(
            "sales.products",
            (("product_id", "BIGINT"), ("name", "STRING"), ("category", "STRING"), ("brand", "STRING"),
             ("list_price", "DECIMAL(12,2)"), ("unit_cost", "DECIMAL(12,2)"), ("active", "BOOLEAN")),
            int(0.2 * GB), 4, 250_000, 0,
            """SELECT 500 + i, ['Trail', 'City', 'Aero', 'Nova', 'Terra'][i % 5 + 1] || ' ' ||
                ['Shoe', 'Jacket', 'Bottle', 'Lamp', 'Bag', 'Watch'][i % 6 + 1] || ' ' || i,
                ['shoes', 'apparel', 'outdoor', 'home', 'accessories'][i % 5 + 1],
                ['Acme', 'Globex', 'Initech', 'Umbrella'][i % 4 + 1],
                CAST(5 + (i * 7) % 95 AS DECIMAL(12,2)), CAST(2 + (i * 5) % 50 AS DECIMAL(12,2)), i % 9 <> 0
                FROM range(120) r(i)""",
            120,
        ),
        Table(
            "web.events",
            (("event_id", "STRING"), ("event_ts", "TIMESTAMP"), ("event_date", "DATE"), ("user_id", "BIGINT"),
             ("session_id", "STRING"), ("event_type", "STRING"), ("page_url", "STRING"), ("referrer", "STRING"),
             ("device", "STRING"), ("country", "STRING"), ("properties", "STRING")),
            int(8.0 * TB), 310_000, 60_000_000_000, 730,
            f"""SELECT 'ev-' || i, CAST({_DAY} AS TIMESTAMP) + INTERVAL (i * 389 % 86400) SECOND, {_DAY},
                1000 + (i * 7919) % 300, 'se-' || (i // 4),
                ['page_view', 'click', 'add_to_cart', 'purchase', 'search'][i % 5 + 1],
                '/' || ['home', 'shop/shoes', 'shop/jackets', 'checkout', 'search', 'help/returns'][i % 6 + 1],
                ['google', 'direct', 'newsletter', 'partner'][i % 4 + 1], ['mobile', 'desktop', 'tablet'][i % 3 + 1],
                {_COUNTRY}, '{{"ab_test": "' || ['a', 'b'][i % 2 + 1] || '"}}' FROM range(600) r(i)""",
            600,
        ),
        Table(
            "web.sessions",
            (("session_id", "STRING"), ("customer_id", "BIGINT"), ("started_at", "TIMESTAMP"), ("session_date", "DATE"),
             ("duration_s", "INT"), ("pages", "INT"), ("device", "STRING"), ("country", "STRING"),
             ("converted", "BOOLEAN")),
            int(1.6 * TB), 52_000, 9_000_000_000, 730,
            f"""SELECT 'se-' || i, 1000 + (i * 7919) % 300, CAST({_DAY} AS TIMESTAMP) + INTERVAL (i * 389 % 86400) SECOND,
                {_DAY}, 20 + (i * 61) % 1800, 1 + i % 12, ['mobile', 'desktop', 'tablet'][i % 3 + 1], {_COUNTRY},
                i % 7 = 0 FROM range(300) r(i)""",
        ),
        Table(
            "finance.invoices",
            (("invoice_id", "BIGINT"), ("order_id", "BIGINT"), ("customer_id", "BIGINT"), ("invoice_date", "DATE"),
             ("due_date", "DATE"), ("amount", "DECIMAL(12,2)"), ("currency", "STRING"), ("status", "STRING")),
            int(310 * GB), 6_200, 2_400_000_000, 1460,
            f"""SELECT 700000 + i, 100000 + i, 1000 + (i * 7919) % 300, {_DAY}, {_DAY} + 30,
                CAST(10 + (i * 97) % 990 AS DECIMAL(12,2)), ['EUR', 'USD', 'JPY'][i % 3 + 1],
                ['OPEN', 'PAID', 'VOID'][i % 3 + 1] FROM range(300) r(i)""",
        ),
        Table(
            "finance.payments",
            (("payment_id", "BIGINT"), ("invoice_id", "BIGINT"), ("paid_at", "TIMESTAMP"), ("payment_date", "DATE"),
             ("amount", "DECIMAL(12,2)"), ("method", "STRING")),
            int(190 * GB), 3_800, 2_000_000_000, 1460,
            f"""SELECT 900000 + i, 700000 + (i * 3) % 300, CAST({_DAY} AS TIMESTAMP) + INTERVAL (i * 977 % 86400) SECOND,
                {_DAY}, CAST(10 + (i * 89) % 990 AS DECIMAL(12,2)) * CASE WHEN i % 50 = 0 THEN -1 ELSE 1 END,
                ['card', 'transfer', 'paypal', 'invoice'][i % 4 + 1] FROM range(250) r(i)""",
            250,
        ),
        Table(
            "marketing.campaigns",
            (("campaign_id", "BIGINT"), ("name", "STRING"), ("channel", "STRING"), ("start_date", "DATE"),
             ("end_date", "DATE"), ("budget", "DECIMAL(12,2)")),
            int(0.01 * GB), 1, 4_000, 0,
            """SELECT 40 + i, ['Spring', 'Summer', 'Autumn', 'Winter', 'Launch', 'Retarget'][i % 6 + 1] || ' ' || i,
                ['search', 'social', 'email', 'display'][i % 4 + 1], DATE '2026-01-01' + CAST(i * 3 AS INTEGER),
                DATE '2026-01-01' + CAST(i * 3 + 60 AS INTEGER), CAST(1000 + i * 250 AS DECIMAL(12,2))
                FROM range(100) r(i)""",
            100,
        ),
        Table(
            "marketing.ad_spend",
            (("spend_date", "DATE"), ("campaign_id", "BIGINT"), ("channel", "STRING"), ("impressions", "BIGINT"),
             ("clicks", "BIGINT"), ("spend", "DECIMAL(12,2)")),
            int(48 * GB), 960, 400_000_000, 1460,
            f"""SELECT {_DAY}, 40 + i % 100, ['search', 'social', 'email', 'display'][i % 4 + 1], 1000 + (i * 577) % 90000,
                10 + (i * 37) % 900, CAST(5 + (i * 41) % 500 AS DECIMAL(12,2)) FROM range(300) r(i)""",
        ),
        Table(
            "ops.inventory",
            (("snapshot_date", "DATE"), ("product_id", "BIGINT"), ("warehouse_code", "STRING"), ("on_hand", "INT"),
             ("reserved", "INT")),
            int(520 * GB), 10_400, 3_600_000_000, 1460,
            f"""SELECT {_DAY}, 500 + i % 120, ['FRA1', 'NYC2', 'SIN1'][i % 3 + 1], (i * 29) % 400, (i * 7) % 40
                FROM range(360) r(i)""",
            360,
        ),
        Table(
            "staging.order_updates",
            (("order_id", "BIGINT"), ("status", "STRING"), ("total_amount", "DECIMAL(12,2)"), ("updated_at", "TIMESTAMP")),
            int(6 * GB), 180, 40_000_000, 0,
            """SELECT 100000 + (i * 3) % 500, ['SHIPPED', 'DELIVERED', 'RETURNED'][i % 3 + 1],
                CAST(10 + (i * 53) % 900 AS DECIMAL(12,2)), TIMESTAMP '2026-11-01 00:00:00' + INTERVAL (i * 611) SECOND
                FROM range(200) r(i)""",
            200,
        ),
        Table(
            "staging.customer_updates",
            (("customer_id", "BIGINT"), ("email", "STRING"), ("segment", "STRING"), ("updated_at", "TIMESTAMP")),
            int(1 * GB), 40, 3_000_000, 0,
            """SELECT 1000 + (i * 7) % 400, 'updated' || i || '@example.org', ['consumer', 'smb', 'enterprise'][i % 3 + 1],
                TIMESTAMP '2026-11-01 00:00:00' + INTERVAL (i * 977) SECOND FROM range(200) r(i)""",
            200,
        ),
        Table(
            "staging.payment_feed",
            (("payment_id", "BIGINT"), ("invoice_id", "BIGINT"), ("paid_at", "TIMESTAMP"), ("amount", "DECIMAL(12,2)"),
             ("method", "STRING")),
            int(2 * GB), 60, 9_000_000, 0,
            """SELECT 950000 + i, 700000 + (i * 3) % 300, TIMESTAMP '2026-11-01 00:00:00' + INTERVAL (i * 977) SECOND,
                CAST(10 + (i * 89) % 990 AS DECIMAL(12,2)), ['card', 'transfer', 'paypal'][i % 3 + 1]
                FROM range(200) r(i)""",
            200,
        ),
        Table(
            "staging.inventory_feed",
            (("product_id", "BIGINT"), ("warehouse_code", "STRING"), ("on_hand", "INT"), ("reserved", "INT")),
            int(0.4 * GB), 8, 3_000_000, 0,
            """SELECT 500 + i % 120, ['FRA1', 'NYC2', 'SIN1'][i % 3 + 1], (i * 31) % 400, (i * 3) % 40 FROM range(360) r(i)""",
            360,
        ),
        Table(
            "staging.ad_spend_feed",
            (("spend_date", "DATE"), ("campaign_id", "BIGINT"), ("channel", "STRING"), ("impressions", "BIGINT"),
             ("clicks", "BIGINT"), ("spend", "DECIMAL(12,2)")),
            int(0.5 * GB), 12, 2_000_000, 0,
            f"""SELECT {_DAY}, 40 + i % 100, ['search', 'social', 'email', 'display'][i % 4 + 1], 1000 + (i * 571) % 90000,
                10 + (i * 31) % 900, CAST(5 + (i * 43) % 500 AS DECIMAL(12,2)) FROM range(200) r(i)""",
            200,
        ),
        Table(
            "staging.crm_contacts",
            (("customer_id", "BIGINT"), ("name", "STRING"), ("email", "STRING"), ("country", "STRING"),
             ("region", "STRING"), ("segment", "STRING"), ("signup_date", "DATE"), ("lifetime_value", "DECIMAL(12,2)")),
            int(9 * GB), 160, 30_000_000, 0,
            f"""SELECT 1150 + i, 'Contact ' || i, 'contact' || i || '@example.org', {_COUNTRY}, {_REGION},
                ['consumer', 'smb', 'enterprise'][i % 3 + 1], DATE '2023-01-01' + CAST((i * 59) % 1000 AS INTEGER),
                CAST((i * 173) % 9000 AS DECIMAL(12,2)) FROM range(300) r(i)""",
        ),
        Table(
            "gold.daily_revenue",
            (("revenue_date", "DATE"), ("region", "STRING"), ("channel", "STRING"), ("orders", "BIGINT"),
             ("revenue", "DECIMAL(18,2)")),
            int(0.05 * GB), 2, 60_000, 0,
            f"""SELECT {_DAY}, {_REGION}, ['web', 'store', 'partner'][i % 3 + 1], 100 + (i * 17) % 900,
                CAST(1000 + (i * 7717) % 90000 AS DECIMAL(18,2)) FROM range(300) r(i)""",
        ),
        Table(
            "gold.customer_360",
            (("customer_id", "BIGINT"), ("segment", "STRING"), ("orders", "BIGINT"), ("revenue", "DECIMAL(18,2)"),
             ("last_order", "DATE")),
            int(6 * GB), 120, 120_000_000, 0,
            f"""SELECT 1000 + i, ['consumer', 'smb', 'enterprise'][i % 3 + 1], 1 + i % 40,
                CAST((i * 211) % 20000 AS DECIMAL(18,2)), {_DAY} FROM range(300) r(i)""",
        ),
        Table(
            "gold.funnel_daily",
            (("event_date", "DATE"), ("event_type", "STRING"), ("events", "BIGINT"), ("users", "BIGINT")),
            int(0.02 * GB), 1, 20_000, 0,
            f"""SELECT {_DAY}, ['page_view', 'click', 'add_to_cart', 'purchase', 'search'][i % 5 + 1],
                1000 + (i * 977) % 90000, 100 + (i * 97) % 9000 FROM range(300) r(i)""",
        ),
        Table(
            "gold.events_dedup",
            (("event_id", "STRING"), ("event_ts", "TIMESTAMP"), ("event_date", "DATE"), ("user_id", "BIGINT"),
             ("event_type", "STRING"), ("page_url", "STRING")),
            int(3.5 * TB), 140_000, 55_000_000_000, 730,
            f"""SELECT 'ev-' || i, CAST({_DAY} AS TIMESTAMP) + INTERVAL (i * 389 % 86400) SECOND, {_DAY},
                1000 + (i * 7919) % 300, ['page_view', 'click', 'add_to_cart', 'purchase', 'search'][i % 5 + 1],
                '/' || ['home', 'shop/shoes', 'checkout'][i % 3 + 1] FROM range(300) r(i)""",
        ),
        Table(
            "gold.all_contacts",
            (("customer_id", "BIGINT"), ("name", "STRING"), ("email", "STRING"), ("country", "STRING"),
             ("region", "STRING"), ("segment", "STRING"), ("signup_date", "DATE"), ("lifetime_value", "DECIMAL(12,2)")),
            int(50 * GB), 1000, 150_000_000, 0,
            f"""SELECT 1000 + i, 'Customer ' || i, 'customer' || i || '@example.org', {_COUNTRY}, {_REGION},
                ['consumer', 'smb', 'enterprise'][i % 3 + 1], DATE '2022-01-01' + CAST((i * 53) % 1400 AS INTEGER),
                CAST((i * 211) % 20000 AS DECIMAL(12,2)) FROM range(300) r(i)""",
        ),
    ]
}


def create_user_tables(conn: duckdb.DuckDBPyConnection) -> int:
    """Create every demo table (catalog dropped) with its deterministic rows; returns the number of tables."""
    for schema in sorted({t.name.split(".")[0] for t in TABLES.values()}):
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for table in TABLES.values():
        columns = ", ".join(f"{name} {type_}" for name, type_ in table.columns)
        conn.execute(f"CREATE TABLE {table.name} ({columns})")
        conn.execute(f"INSERT INTO {table.name} {' '.join(table.fill.split())}")
    return len(TABLES)
