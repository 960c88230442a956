"""The demo account: workspaces, people, SQL warehouses (with configuration changes), dashboards, Genie spaces,
alerts, notebooks, jobs, clusters, pipelines and serving endpoints.

The shape of the account is fixed (so golden replies stay readable); identifiers are stable hashes of names.
Times depend on the window: configuration changes happen at fixed fractions of it, on an hour boundary.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from qopt.demo.templates import TEMPLATES

ACCOUNT_ID = "f3a9c2e1-7b4d-4e8a-9c1f-2d6b8e0a4c17"
CLOUD = "AWS"
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

# Published DBU per hour per cluster by warehouse size (reference/system-tables.md).
DBU_PER_HOUR = {
    "2X_SMALL": 4, "X_SMALL": 6, "SMALL": 12, "MEDIUM": 24, "LARGE": 40,
    "X_LARGE": 80, "2X_LARGE": 144, "3X_LARGE": 272, "4X_LARGE": 528,
}
SIZES = tuple(DBU_PER_HOUR)
TEMPLATE_INDEX = {t.key: i for i, t in enumerate(TEMPLATES)}


def stable_hex(text: str, n: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def stable_uuid(text: str) -> str:
    h = stable_hex(text, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def stable_digits(text: str, n: int) -> str:
    return str(int(stable_hex(text, 24), 16))[:n]


@dataclass(frozen=True)
class Workspace:
    idx: int
    id: str
    name: str


@dataclass(frozen=True)
class User:
    idx: int
    email: str
    user_id: str
    workspace: int
    role: str  # analyst | engineer | scientist | finance | service
    tool: str  # client_application of their ad-hoc statements


@dataclass(frozen=True)
class WarehouseConfig:
    change_ms: int
    size: str
    min_clusters: int
    max_clusters: int
    auto_stop_minutes: int


@dataclass
class Warehouse:
    idx: int
    id: str
    name: str
    workspace: int
    type: str  # CLASSIC | PRO | SERVERLESS
    configs: list[WarehouseConfig]
    adhoc_weight: float = 0.0  # share of its workspace's ad-hoc statements

    @property
    def sku(self) -> str:
        return {
            "SERVERLESS": "PREMIUM_SERVERLESS_SQL_COMPUTE_US_EAST_N_VIRGINIA",
            "PRO": "PREMIUM_SQL_PRO_COMPUTE_US_EAST_N_VIRGINIA",
            "CLASSIC": "PREMIUM_SQL_COMPUTE_US_EAST_N_VIRGINIA",
        }[self.type]

    def config_at(self, t_ms: int) -> WarehouseConfig:
        current = self.configs[0]
        for config in self.configs:
            if config.change_ms <= t_ms:
                current = config
        return current


@dataclass(frozen=True)
class Dashboard:
    idx: int
    id: str
    name: str
    warehouse: int
    owner: int  # user idx; scheduled refreshes run as the owner
    widgets: tuple[int, ...]  # template indexes
    every_hours: int  # scheduled refresh period (1 = hourly, 24 = daily)
    minute: int  # offset of the scheduled refresh, minutes after midnight UTC
    weight: float


@dataclass(frozen=True)
class Source:
    """A Genie space, an alert or a notebook: something that issues statements of a few templates."""

    idx: int
    kind: str  # genie | alert | notebook
    id: str
    name: str
    warehouse: int
    templates: tuple[int, ...]
    owner: int
    weight: float


@dataclass(frozen=True)
class SqlJob:
    """A job whose tasks run SQL on a warehouse; each run issues its statements one after the other."""

    idx: int
    job_id: str
    name: str
    warehouse: int
    run_as: int  # user idx
    statements: tuple[int, ...]
    every_hours: int
    minute: int


@dataclass(frozen=True)
class ComputeJob:
    """A notebook/Spark job on a new job cluster per run (billed as JOBS)."""

    idx: int
    job_id: str
    name: str
    workspace: int
    run_as: int
    every_hours: int
    minute: int
    workers: int
    node_type: str
    minutes: int  # typical run length


@dataclass(frozen=True)
class ClusterConfig:
    change_ms: int
    workers: int
    auto_termination_minutes: int


@dataclass(frozen=True)
class AllPurposeCluster:
    idx: int
    id: str
    name: str
    workspace: int
    owner: int
    node_type: str
    configs: tuple[ClusterConfig, ...]
    photon: bool


@dataclass(frozen=True)
class Pipeline:
    id: str
    name: str
    workspace: int
    owner: int
    continuous: bool
    dbu_per_hour: float
    tier: str  # CORE | PRO | ADVANCED


@dataclass(frozen=True)
class Endpoint:
    id: str
    name: str
    workspace: int
    owner: int
    dbu_per_hour: float


@dataclass
class Topology:
    start_ms: int
    end_ms: int
    workspaces: list[Workspace]
    users: list[User]
    warehouses: list[Warehouse]
    dashboards: list[Dashboard]
    sources: list[Source]
    sql_jobs: list[SqlJob]
    compute_jobs: list[ComputeJob]
    clusters: list[AllPurposeCluster]
    pipelines: list[Pipeline]
    endpoints: list[Endpoint]
    users_by_workspace: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for user in self.users:
            self.users_by_workspace.setdefault(user.workspace, []).append(user.idx)


NODE_DBU = {"m5d.xlarge": 0.69, "m5d.2xlarge": 1.37, "i3.2xlarge": 2.0, "r5d.4xlarge": 3.6, "i3.xlarge": 1.0}

_PEOPLE = [
    # (first, last, workspace, role, tool)
    ("ana", "silva", 0, "analyst", "Databricks SQL Editor"), ("ben", "okafor", 0, "analyst", "Tableau"),
    ("chloe", "martin", 0, "analyst", "Power BI"), ("diego", "ramirez", 0, "analyst", "Databricks SQL Editor"),
    ("emma", "johansson", 0, "analyst", "Databricks SQL Editor"), ("farah", "haddad", 0, "analyst", "Tableau"),
    ("george", "nakamura", 0, "analyst", "Databricks SQL Editor"), ("hana", "kim", 0, "analyst", "Power BI"),
    ("ivan", "petrov", 0, "analyst", "DBeaver"), ("julia", "rossi", 0, "analyst", "Databricks SQL Editor"),
    ("karim", "benali", 0, "analyst", "Databricks SQL Editor"), ("lena", "schmidt", 0, "analyst", "Tableau"),
    ("marco", "bianchi", 0, "analyst", "Databricks SQL Editor"), ("nina", "kowalski", 0, "analyst", "Power BI"),
    ("omar", "farouk", 0, "analyst", "Databricks SQL Editor"), ("priya", "sharma", 0, "analyst", "Databricks SQL Editor"),
    ("quentin", "dubois", 1, "engineer", "dbt"), ("rosa", "garcia", 1, "engineer", "Databricks SQL Editor"),
    ("sam", "taylor", 1, "engineer", "dbt"), ("tomas", "novak", 1, "engineer", "DBeaver"),
    ("uma", "patel", 1, "engineer", "Databricks SQL Editor"), ("victor", "lindqvist", 1, "engineer", "dbt"),
    ("wei", "zhang", 1, "engineer", "Databricks SQL Editor"), ("xenia", "popescu", 1, "engineer", "DBeaver"),
    ("yusuf", "demir", 1, "scientist", "Databricks SQL Editor"), ("zoe", "adams", 1, "scientist", "Databricks SQL Editor"),
    ("aiko", "tanaka", 1, "scientist", "Databricks SQL Editor"), ("bruno", "costa", 1, "scientist", "Databricks SQL Editor"),
    ("carla", "mendes", 1, "scientist", "Databricks SQL Editor"), ("david", "cohen", 1, "scientist", "Databricks SQL Editor"),
    ("elif", "yilmaz", 1, "scientist", "Databricks SQL Editor"), ("felix", "weber", 2, "finance", "Power BI"),
    ("grace", "obi", 2, "finance", "Databricks SQL Editor"), ("hugo", "laurent", 2, "finance", "Excel"),
    ("isla", "mackay", 2, "finance", "Databricks SQL Editor"), ("jonas", "berg", 2, "finance", "Power BI"),
    ("kate", "walsh", 2, "finance", "Databricks SQL Editor"), ("liam", "murphy", 2, "finance", "Excel"),
    ("mia", "fischer", 0, "analyst", "Databricks SQL Editor"), ("noah", "evans", 1, "engineer", "Databricks SQL Editor"),
]
_SERVICE = [("svc-etl", 1), ("svc-finance", 2)]


def _t(*keys: str) -> tuple[int, ...]:
    return tuple(TEMPLATE_INDEX[k] for k in keys)


def _at(start_ms: int, end_ms: int, fraction: float, hour: int) -> int:
    """A change time: the day at `fraction` of the window, at `hour`:00 UTC (always an hour boundary)."""
    days = max(1, (end_ms - start_ms) // DAY_MS)
    day = min(days - 1, int(days * fraction))
    return start_ms + day * DAY_MS + hour * HOUR_MS


def build_topology(start_ms: int, end_ms: int) -> Topology:
    """The account for a window [start_ms, end_ms) (UTC epoch milliseconds, day-aligned)."""
    workspaces = [
        Workspace(0, "1873420596112233", "analytics"),
        Workspace(1, "2648811093357710", "data-engineering"),
        Workspace(2, "3301957462285514", "finance"),
    ]
    users = [
        User(i, f"{first}.{last}@example.com", stable_digits(f"user:{first}.{last}", 15), ws, role, tool)
        for i, (first, last, ws, role, tool) in enumerate(_PEOPLE)
    ]
    for name, ws in _SERVICE:
        users.append(User(len(users), f"{name}@example.com", stable_digits(f"user:{name}", 15), ws, "service", "Databricks Jobs"))
    u = {user.email.split("@")[0]: user.idx for user in users}

    created = start_ms - 200 * DAY_MS
    at = lambda frac, hour=10: _at(start_ms, end_ms, frac, hour)  # noqa: E731

    def wh(idx, name, ws, type_, size, mn, mx, stop, changes=(), adhoc=0.0):
        configs = [WarehouseConfig(created + idx * DAY_MS, size, mn, mx, stop)]
        for change_ms, delta in changes:
            last = configs[-1]
            configs.append(WarehouseConfig(change_ms, delta.get("size", last.size), delta.get("min", last.min_clusters),
                                           delta.get("max", last.max_clusters), delta.get("stop", last.auto_stop_minutes)))
        return Warehouse(idx, stable_hex(f"warehouse:{name}", 16), name, ws, type_, configs, adhoc)

    warehouses = [
        wh(0, "BI Serverless", 0, "SERVERLESS", "MEDIUM", 1, 4, 10, [(at(0.4, 9), {"size": "LARGE"})]),
        wh(1, "Analytics Pro", 0, "PRO", "LARGE", 1, 2, 20, adhoc=0.7),
        wh(2, "Genie Serverless", 0, "SERVERLESS", "SMALL", 1, 2, 5, adhoc=0.3),
        wh(3, "ETL Classic", 1, "CLASSIC", "X_LARGE", 1, 1, 15, [(at(0.6, 12), {"stop": 10})], adhoc=0.2),
        wh(4, "Data Science Pro", 1, "PRO", "MEDIUM", 1, 2, 30, [(at(0.5, 8), {"stop": 15, "max": 3})], adhoc=0.8),
        wh(5, "Finance Classic", 2, "CLASSIC", "SMALL", 1, 1, 45, [(at(0.3, 7), {"max": 2})], adhoc=0.6),
        wh(6, "Finance Serverless", 2, "SERVERLESS", "X_SMALL", 1, 3, 10, [(at(0.7, 11), {"size": "SMALL"})], adhoc=0.4),
    ]

    dashboards = [
        Dashboard(0, stable_hex("dash:sales", 32), "Sales Overview", 0, u["ana.silva"],
                  _t("dash_sales_revenue_by_day", "dash_sales_by_region", "dash_sales_top_products", "dash_sales_yoy",
                     "dash_sales_buyers_by_region", "dash_sales_recent_orders", "dash_sales_recent_orders_cols"),
                  1, 5, 0.30),
        Dashboard(1, stable_hex("dash:web", 32), "Web Traffic", 0, u["chloe.martin"],
                  _t("dash_web_events_by_type", "dash_web_sessions_funnel", "dash_web_unique_visitors",
                     "dash_web_page_search", "dash_web_device_mix", "dash_web_hourly_traffic"), 1, 20, 0.22),
        Dashboard(2, stable_hex("dash:finance", 32), "Accounts Receivable", 5, u["felix.weber"],
                  _t("dash_fin_ar_aging", "dash_fin_overdue", "dash_fin_overdue_cols", "dash_fin_cash_daily",
                     "dash_fin_unpaid"), 24, 7 * 60, 0.16),
        Dashboard(3, stable_hex("dash:exec", 32), "Executive KPIs", 1, u["julia.rossi"],
                  _t("dash_exec_kpis", "dash_exec_active_customers", "dash_exec_margin"), 24, 6 * 60 + 30, 0.10),
        Dashboard(4, stable_hex("dash:marketing", 32), "Marketing Performance", 0, u["lena.schmidt"],
                  _t("dash_mkt_spend_by_channel", "dash_mkt_campaign_spend", "dash_mkt_conversions_by_country"),
                  24, 8 * 60, 0.10),
        Dashboard(5, stable_hex("dash:ops", 32), "Inventory", 6, u["grace.obi"],
                  _t("dash_ops_stock_by_site", "dash_ops_low_stock", "dash_ops_stock_history"), 1, 40, 0.12),
    ]
    sources = [
        Source(0, "genie", stable_hex("genie:sales", 32), "Sales assistant", 2,
               _t("genie_top_customers", "genie_revenue_trend", "genie_sessions_by_country", "genie_avg_order_value",
                  "genie_campaign_clicks"), u["ana.silva"], 0.75),
        Source(1, "genie", stable_hex("genie:finance", 32), "Finance assistant", 6,
               _t("genie_overdue_by_customer", "genie_avg_order_value"), u["felix.weber"], 0.25),
        Source(2, "alert", stable_uuid("alert:negative-payments"), "Negative payments", 6,
               _t("alert_negative_payments"), u["kate.walsh"], 0.5),
        Source(3, "alert", stable_uuid("alert:orders-today"), "Orders today", 0, _t("alert_orders_today"),
               u["diego.ramirez"], 0.5),
        Source(4, "notebook", stable_digits("nb:cohorts", 16), "/Users/yusuf.demir@example.com/cohorts", 4,
               _t("nb_signup_cohorts"), u["yusuf.demir"], 0.3),
        Source(5, "notebook", stable_digits("nb:features", 16), "/Repos/ds/features/user_features", 4,
               _t("nb_user_features", "nb_basket_size"), u["zoe.adams"], 0.7),
    ]
    sql_jobs = [
        SqlJob(0, stable_digits("job:orders", 15), "orders_hourly_merge", 3, u["svc-etl"],
               _t("etl_orders_merge", "etl_invoices_from_orders"), 1, 15),
        SqlJob(1, stable_digits("job:sessionize", 15), "web_sessionize", 3, u["svc-etl"],
               _t("etl_events_dedup", "etl_sessions_insert"), 1, 45),
        SqlJob(2, stable_digits("job:revenue", 15), "daily_revenue_rollup", 3, u["quentin.dubois"],
               _t("etl_daily_revenue_delete", "etl_daily_revenue_insert", "etl_customer_360_ctas",
                  "etl_customer_360_refresh_scores"), 24, 2 * 60),
        SqlJob(3, stable_digits("job:marketing", 15), "marketing_daily", 3, u["sam.taylor"],
               _t("etl_ad_spend_merge", "etl_funnel_ctas", "etl_customers_merge", "etl_all_contacts_rebuild"),
               24, 3 * 60 + 30),
        SqlJob(4, stable_digits("job:payments", 15), "payments_sync", 6, u["svc-finance"],
               _t("etl_payments_insert"), 1, 50),
        SqlJob(5, stable_digits("job:inventory", 15), "inventory_snapshot", 3, u["svc-etl"],
               _t("etl_inventory_snapshot"), 24, 5 * 60),
    ]
    compute_jobs = [
        ComputeJob(0, stable_digits("job:churn", 15), "ml_churn_training", 1, u["yusuf.demir"], 24, 60, 8,
                   "i3.2xlarge", 45),
        ComputeJob(1, stable_digits("job:ingest", 15), "events_ingest_spark", 1, u["svc-etl"], 1, 0, 4,
                   "m5d.2xlarge", 12),
        ComputeJob(2, stable_digits("job:features", 15), "feature_store_refresh", 0, u["zoe.adams"], 24, 4 * 60, 4,
                   "r5d.4xlarge", 30),
        ComputeJob(3, stable_digits("job:recon", 15), "finance_reconciliation", 2, u["svc-finance"], 24, 6 * 60, 2,
                   "m5d.xlarge", 20),
    ]
    clusters = [
        AllPurposeCluster(0, _cluster_id("ds-shared"), "ds-shared", 1, u["yusuf.demir"], "i3.2xlarge",
                          (ClusterConfig(created, 4, 60), ClusterConfig(at(0.45, 9), 8, 60)), True),
        AllPurposeCluster(1, _cluster_id("eng-dev"), "eng-dev", 1, u["rosa.garcia"], "m5d.2xlarge",
                          (ClusterConfig(created, 2, 30),), False),
        AllPurposeCluster(2, _cluster_id("analytics-adhoc"), "analytics-adhoc", 0, u["marco.bianchi"], "m5d.xlarge",
                          (ClusterConfig(created, 3, 120), ClusterConfig(at(0.65, 14), 3, 30)), False),
        AllPurposeCluster(3, _cluster_id("finance-modeling"), "finance-modeling", 2, u["hugo.laurent"], "r5d.4xlarge",
                          (ClusterConfig(created, 2, 60),), True),
    ]
    pipelines = [
        Pipeline(stable_uuid("dlt:events"), "bronze_to_silver_events", 1, u["wei.zhang"], True, 6.0, "ADVANCED"),
        Pipeline(stable_uuid("dlt:gl"), "finance_general_ledger", 2, u["isla.mackay"], False, 10.0, "CORE"),
    ]
    endpoints = [
        Endpoint(stable_hex("ep:churn", 32), "churn-model", 1, u["aiko.tanaka"], 2.0),
        Endpoint(stable_hex("ep:recs", 32), "product-recommendations", 0, u["bruno.costa"], 5.0),
    ]
    return Topology(start_ms, end_ms, workspaces, users, warehouses, dashboards, sources, sql_jobs, compute_jobs,
                    clusters, pipelines, endpoints)


def _cluster_id(name: str) -> str:
    h = stable_digits(f"cluster:{name}", 12)
    return f"{h[:4]}-{h[4:10]}-{stable_hex(name, 8)}"

