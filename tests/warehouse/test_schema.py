"""Every column and type named in reference/system-tables.md exists in the embedded schema, with its DuckDB type.

The expected lists below are written by hand from the reference (string → VARCHAR, bigint → BIGINT, int → INTEGER,
tinyint → TINYINT, timestamp → TIMESTAMP WITH TIME ZONE, decimal(38,18) → DECIMAL(38,18), map → MAP, array → []);
they are not derived from `qopt.warehouse.schema`. Nested struct fields are checked one by one with
`DESCRIBE SELECT <path>`, so a missing or mistyped field fails with its name.
"""

from __future__ import annotations

import duckdb
import pytest

from qopt.warehouse.schema import TABLES, ddl

S, BIG, INT, TS, DATE, BOOL = "VARCHAR", "BIGINT", "INTEGER", "TIMESTAMP WITH TIME ZONE", "DATE", "BOOLEAN"
MAP = "MAP(VARCHAR, VARCHAR)"
DEC = "DECIMAL(38,18)"


def _all(typ: str, names: str) -> dict[str, str]:
    return {n.strip(): typ for n in names.split(",") if n.strip()}


EXPECTED: dict[str, dict[str, str]] = {
    "query.history": {
        **_all(S, "account_id, workspace_id, statement_id, executed_by, session_id, execution_status, "
                  "executed_by_user_id, statement_text, statement_type, error_message, client_application, "
                  "client_driver, executed_as_user_id, executed_as, cache_origin_statement_id"),
        **_all(S, "compute.type, compute.cluster_id, compute.warehouse_id"),
        **_all(BIG, "total_duration_ms, waiting_for_compute_duration_ms, waiting_at_capacity_duration_ms, "
                    "execution_duration_ms, compilation_duration_ms, total_task_duration_ms, result_fetch_duration_ms, "
                    "read_partitions, pruned_files, read_files, read_rows, produced_rows, read_bytes, "
                    "spilled_local_bytes, written_bytes, shuffle_read_bytes, written_rows, written_files, "
                    "pruned_files_bytes, read_files_bytes"),
        **_all(TS, "start_time, end_time, update_time"),
        "read_io_cache_percent": "TINYINT",
        "from_result_cache": BOOL,
        "query_tags": MAP,
        **_all(S, "query_source.job_info.job_id, query_source.job_info.job_run_id, query_source.job_info.job_task_run_id, "
                  "query_source.legacy_dashboard_id, query_source.dashboard_id, query_source.alert_id, "
                  "query_source.notebook_id, query_source.sql_query_id, query_source.genie_space_id, "
                  "query_source.pipeline_info.pipeline_id, query_source.pipeline_info.update_id"),
        "query_parameters": S,  # a large nested struct on Databricks; JSON text in the embedded warehouse
    },
    "billing.usage": {
        **_all(S, "record_id, account_id, workspace_id, sku_name, cloud, usage_unit, record_type, "
                  "billing_origin_product, usage_type"),
        **_all(TS, "usage_start_time, usage_end_time"),
        **_all(DATE, "usage_date, ingestion_date"),
        "custom_tags": MAP,
        "usage_quantity": DEC,
        **_all(S, "usage_metadata.cluster_id, usage_metadata.job_id, usage_metadata.warehouse_id, "
                  "usage_metadata.instance_pool_id, usage_metadata.node_type, usage_metadata.job_run_id, "
                  "usage_metadata.notebook_id, usage_metadata.dlt_pipeline_id, usage_metadata.endpoint_name, "
                  "usage_metadata.endpoint_id, usage_metadata.dlt_update_id, usage_metadata.dlt_maintenance_id, "
                  "usage_metadata.run_name, usage_metadata.job_name, usage_metadata.notebook_path, "
                  "usage_metadata.central_clean_room_id, usage_metadata.source_region, "
                  "usage_metadata.destination_region, usage_metadata.app_id, usage_metadata.app_name, "
                  "usage_metadata.metastore_id, usage_metadata.private_endpoint_name, "
                  "usage_metadata.storage_api_type, usage_metadata.budget_policy_id"),
        **_all(S, "identity_metadata.run_as, identity_metadata.created_by, identity_metadata.owned_by, "
                  "identity_metadata.run_by"),
        **_all(S, "product_features.jobs_tier, product_features.sql_tier, product_features.dlt_tier, "
                  "product_features.serving_type"),
        **_all(BOOL, "product_features.is_serverless, product_features.is_photon"),
    },
    "billing.list_prices": {
        **_all(S, "account_id, sku_name, cloud, currency_code, usage_unit"),
        **_all(TS, "price_start_time, price_end_time"),
        'pricing."default"': DEC,
        'pricing.promotional."default"': DEC,
        'pricing.effective_list."default"': DEC,
    },
    "compute.warehouses": {
        **_all(S, "warehouse_id, workspace_id, account_id, warehouse_name, warehouse_type, warehouse_channel, "
                  "warehouse_size"),
        **_all(INT, "min_clusters, max_clusters, auto_stop_minutes"),
        "tags": MAP,
        **_all(TS, "change_time, delete_time"),
    },
    "compute.warehouse_events": {
        **_all(S, "account_id, workspace_id, warehouse_id, event_type"),
        "cluster_count": INT,
        "event_time": TS,
    },
    "compute.clusters": {
        **_all(S, "account_id, workspace_id, cluster_id, cluster_name, owned_by, driver_node_type, worker_node_type, "
                  "cluster_source, driver_instance_pool_id, worker_instance_pool_id, dbr_version"),
        **_all(TS, "create_time, delete_time, change_time"),
        "change_date": DATE,
        **_all(BIG, "worker_count, min_autoscale_workers, max_autoscale_workers, auto_termination_minutes"),
        "enable_elastic_disk": BOOL,
        "tags": MAP,
        "init_scripts": "VARCHAR[]",
        # aws_attributes / azure_attributes / gcp_attributes: structs (fields not listed in the reference)
    },
    "lakeflow.jobs": {
        **_all(S, "account_id, workspace_id, job_id, name, creator_id, run_as, description, trigger_type, "
                  "run_as_user_name, creator_user_name"),
        **_all(TS, "change_time, delete_time, create_time"),
        "tags": MAP,
        "paused": BOOL,
        "timeout_seconds": BIG,
        **_all(S, '"trigger".schedule.quartz_cron_expression, "trigger".schedule.timezone_id'),
    },
    "lakeflow.job_run_timeline": {
        **_all(S, "account_id, workspace_id, job_id, run_id, trigger_type, result_state, run_type, run_name, "
                  "termination_code"),
        **_all(TS, "period_start_time, period_end_time"),
        "compute_ids": "VARCHAR[]",
        **_all(BIG, "setup_duration_seconds, queue_duration_seconds, run_duration_seconds, "
                    "cleanup_duration_seconds, execution_duration_seconds"),
    },
}

STRUCTS = {
    "compute.clusters": ["aws_attributes", "azure_attributes", "gcp_attributes"],
    "billing.usage": ["usage_metadata", "identity_metadata", "product_features"],
    "query.history": ["compute", "query_source"],
    "billing.list_prices": ["pricing"],
    "lakeflow.jobs": ['"trigger"'],
}


@pytest.fixture(scope="module")
def conn():
    con = duckdb.connect(":memory:")
    for statement in ddl():
        con.execute(statement)
    yield con
    con.close()


def _type_of(conn, table: str, path: str) -> str:
    return conn.execute(f"DESCRIBE SELECT {path} AS x FROM {table}").fetchone()[1]


def test_every_table_of_the_reference_exists():
    assert set(EXPECTED) <= set(TABLES)


@pytest.mark.parametrize(
    "table, path, expected",
    [(table, path, typ) for table, columns in EXPECTED.items() for path, typ in columns.items()],
    ids=lambda v: v if isinstance(v, str) and " " not in v else None,
)
def test_column_type(conn, table, path, expected):
    assert _type_of(conn, table, path) == expected


@pytest.mark.parametrize("table, column", [(t, c) for t, cols in STRUCTS.items() for c in cols])
def test_struct_columns_are_structs(conn, table, column):
    assert _type_of(conn, table, column).startswith("STRUCT(")


def test_ddl_is_idempotent(conn):
    for statement in ddl():
        conn.execute(statement)
    assert conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema <> 'main'").fetchone()[0] == len(TABLES)
