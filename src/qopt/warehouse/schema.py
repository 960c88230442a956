"""The system tables of the embedded warehouse, with Databricks' column names and types.

Databricks names them `system.<schema>.<table>`; DuckDB reserves the catalog name `system`, so the embedded
file keeps each table in a schema of the same name (`query.history`) and the transpile step drops the catalog.
Types follow reference/system-tables.md: struct → STRUCT, map → MAP, decimal(38,18) → DECIMAL(38,18),
timestamp → TIMESTAMPTZ (UTC). `query_parameters` is a large nested struct on Databricks; it is JSON text here.
"""

from __future__ import annotations

_MAP = "MAP(VARCHAR, VARCHAR)"

TABLES: dict[str, str] = {
    "query.history": f"""
        account_id VARCHAR, workspace_id VARCHAR, statement_id VARCHAR, executed_by VARCHAR,
        session_id VARCHAR, execution_status VARCHAR,
        compute STRUCT(type VARCHAR, cluster_id VARCHAR, warehouse_id VARCHAR),
        executed_by_user_id VARCHAR, statement_text VARCHAR, statement_type VARCHAR, error_message VARCHAR,
        client_application VARCHAR, client_driver VARCHAR,
        total_duration_ms BIGINT, waiting_for_compute_duration_ms BIGINT, waiting_at_capacity_duration_ms BIGINT,
        execution_duration_ms BIGINT, compilation_duration_ms BIGINT, total_task_duration_ms BIGINT,
        result_fetch_duration_ms BIGINT,
        start_time TIMESTAMPTZ, end_time TIMESTAMPTZ, update_time TIMESTAMPTZ,
        read_partitions BIGINT, pruned_files BIGINT, read_files BIGINT, read_rows BIGINT, produced_rows BIGINT,
        read_bytes BIGINT, read_io_cache_percent TINYINT, from_result_cache BOOLEAN,
        spilled_local_bytes BIGINT, written_bytes BIGINT, shuffle_read_bytes BIGINT,
        query_source STRUCT(
            job_info STRUCT(job_id VARCHAR, job_run_id VARCHAR, job_task_run_id VARCHAR),
            legacy_dashboard_id VARCHAR, dashboard_id VARCHAR, alert_id VARCHAR, notebook_id VARCHAR,
            sql_query_id VARCHAR, genie_space_id VARCHAR,
            pipeline_info STRUCT(pipeline_id VARCHAR, update_id VARCHAR)),
        executed_as_user_id VARCHAR, executed_as VARCHAR,
        written_rows BIGINT, written_files BIGINT, cache_origin_statement_id VARCHAR,
        query_tags {_MAP}, query_parameters VARCHAR,
        pruned_files_bytes BIGINT, read_files_bytes BIGINT
    """,
    "billing.usage": f"""
        record_id VARCHAR, account_id VARCHAR, workspace_id VARCHAR, sku_name VARCHAR, cloud VARCHAR,
        usage_start_time TIMESTAMPTZ, usage_end_time TIMESTAMPTZ, usage_date DATE,
        custom_tags {_MAP}, usage_unit VARCHAR, usage_quantity DECIMAL(38,18),
        usage_metadata STRUCT(
            cluster_id VARCHAR, job_id VARCHAR, warehouse_id VARCHAR, instance_pool_id VARCHAR, node_type VARCHAR,
            job_run_id VARCHAR, notebook_id VARCHAR, dlt_pipeline_id VARCHAR, endpoint_name VARCHAR,
            endpoint_id VARCHAR, dlt_update_id VARCHAR, dlt_maintenance_id VARCHAR, run_name VARCHAR,
            job_name VARCHAR, notebook_path VARCHAR, central_clean_room_id VARCHAR, source_region VARCHAR,
            destination_region VARCHAR, app_id VARCHAR, app_name VARCHAR, metastore_id VARCHAR,
            private_endpoint_name VARCHAR, storage_api_type VARCHAR, budget_policy_id VARCHAR),
        identity_metadata STRUCT(run_as VARCHAR, created_by VARCHAR, owned_by VARCHAR, run_by VARCHAR),
        record_type VARCHAR, ingestion_date DATE, billing_origin_product VARCHAR,
        product_features STRUCT(
            jobs_tier VARCHAR, sql_tier VARCHAR, dlt_tier VARCHAR, is_serverless BOOLEAN, is_photon BOOLEAN,
            serving_type VARCHAR),
        usage_type VARCHAR
    """,
    "billing.list_prices": """
        price_start_time TIMESTAMPTZ, price_end_time TIMESTAMPTZ, account_id VARCHAR, sku_name VARCHAR,
        cloud VARCHAR, currency_code VARCHAR, usage_unit VARCHAR,
        pricing STRUCT("default" DECIMAL(38,18), promotional STRUCT("default" DECIMAL(38,18)),
                       effective_list STRUCT("default" DECIMAL(38,18)))
    """,
    "compute.warehouses": f"""
        warehouse_id VARCHAR, workspace_id VARCHAR, account_id VARCHAR, warehouse_name VARCHAR,
        warehouse_type VARCHAR, warehouse_channel VARCHAR, warehouse_size VARCHAR,
        min_clusters INTEGER, max_clusters INTEGER, auto_stop_minutes INTEGER, tags {_MAP},
        change_time TIMESTAMPTZ, delete_time TIMESTAMPTZ
    """,
    "compute.warehouse_events": """
        account_id VARCHAR, workspace_id VARCHAR, warehouse_id VARCHAR, event_type VARCHAR,
        cluster_count INTEGER, event_time TIMESTAMPTZ
    """,
    "compute.clusters": f"""
        account_id VARCHAR, workspace_id VARCHAR, cluster_id VARCHAR, cluster_name VARCHAR, owned_by VARCHAR,
        create_time TIMESTAMPTZ, delete_time TIMESTAMPTZ, driver_node_type VARCHAR, worker_node_type VARCHAR,
        worker_count BIGINT, min_autoscale_workers BIGINT, max_autoscale_workers BIGINT,
        auto_termination_minutes BIGINT, enable_elastic_disk BOOLEAN, tags {_MAP}, cluster_source VARCHAR,
        init_scripts VARCHAR[],
        aws_attributes STRUCT(availability VARCHAR, first_on_demand BIGINT, zone_id VARCHAR),
        azure_attributes STRUCT(availability VARCHAR, first_on_demand BIGINT),
        gcp_attributes STRUCT(availability VARCHAR, use_preemptible_executors BOOLEAN, zone_id VARCHAR),
        driver_instance_pool_id VARCHAR, worker_instance_pool_id VARCHAR, dbr_version VARCHAR,
        change_time TIMESTAMPTZ, change_date DATE
    """,
    "lakeflow.jobs": f"""
        account_id VARCHAR, workspace_id VARCHAR, job_id VARCHAR, name VARCHAR, description VARCHAR,
        creator_id VARCHAR, tags {_MAP}, change_time TIMESTAMPTZ, delete_time TIMESTAMPTZ, run_as VARCHAR,
        trigger_type VARCHAR, run_as_user_name VARCHAR, creator_user_name VARCHAR, paused BOOLEAN,
        timeout_seconds BIGINT, create_time TIMESTAMPTZ,
        "trigger" STRUCT(schedule STRUCT(quartz_cron_expression VARCHAR, timezone_id VARCHAR, pause_status VARCHAR))
    """,
    "lakeflow.job_run_timeline": """
        account_id VARCHAR, workspace_id VARCHAR, job_id VARCHAR, run_id VARCHAR,
        period_start_time TIMESTAMPTZ, period_end_time TIMESTAMPTZ, trigger_type VARCHAR, result_state VARCHAR,
        run_type VARCHAR, run_name VARCHAR, compute_ids VARCHAR[], termination_code VARCHAR,
        setup_duration_seconds BIGINT, queue_duration_seconds BIGINT, run_duration_seconds BIGINT,
        cleanup_duration_seconds BIGINT, execution_duration_seconds BIGINT
    """,
}


def ddl() -> list[str]:
    """CREATE statements (DuckDB) for every system table, in a stable order."""
    schemas = sorted({name.split(".")[0] for name in TABLES})
    statements = [f"CREATE SCHEMA IF NOT EXISTS {s}" for s in schemas]
    for name, columns in TABLES.items():
        statements.append(f"CREATE TABLE IF NOT EXISTS {name} ({' '.join(columns.split())})")
    return statements
