"""Bulk loading into DuckDB.

Query history is large: the simulation hands over batches of compact numeric rows (workload.ROW_FIELDS), which
become numpy columns that DuckDB scans in place; one INSERT ... SELECT per batch expands them into the 44 columns
of `query.history` (statement text from the template with its literals filled in, ids, structs). Python never
builds a 44-column row.
The other tables are small; their rows are dicts written as JSON lines and read with the table's own types.
"""

from __future__ import annotations

import array
import json
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain
from pathlib import Path

import duckdb
import numpy as np

from qopt.demo.templates import REGIONS, TEMPLATES, WORDS
from qopt.demo.topology import ACCOUNT_ID, Topology
from qopt.demo.workload import ERRORS, ROW_FIELDS

CLIENT_APPLICATION = {
    "dashboard": "Databricks SQL Dashboards", "etl": "Databricks Jobs", "genie": "Databricks Genie",
    "alert": "Databricks SQL Alerts", "notebook": "Databricks Notebooks",
}
DRIVERS = {"Tableau": "Databricks JDBC Driver", "Power BI": "Simba Spark ODBC Driver", "Excel": "Simba Spark ODBC Driver",
           "DBeaver": "Databricks JDBC Driver", "dbt": "databricks-sql-python"}


PLACEHOLDERS = ("{from}", "{to}", "{year}", "{n}", "{region}", "{cust}", "{word}")


def format_string(sql: str) -> str:
    """A template as a DuckDB `format()` string: braces escaped, placeholder k becomes `{k}`."""
    text = sql.replace("{", "{{").replace("}", "}}")
    for k, placeholder in enumerate(PLACEHOLDERS):
        text = text.replace("{" + placeholder + "}", "{" + str(k) + "}")
    return text


def _uuid_sql(expr: str) -> str:
    """A deterministic UUID-shaped id: the md5 of `expr`, as DuckDB prints a UUID."""
    return f"CAST(CAST(md5({expr}) AS UUID) AS VARCHAR)"


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def create_dimensions(conn: duckdb.DuckDBPyConnection, topo: Topology) -> None:
    """Small lookup tables the history expansion joins to (temporary: not kept in the file)."""
    conn.execute("CREATE TEMP TABLE dim_tmpl (tmpl INTEGER, sql_text VARCHAR, statement_type VARCHAR, category VARCHAR)")
    conn.executemany("INSERT INTO dim_tmpl VALUES (?, ?, ?, ?)",
                     [(i, format_string(t.sql), t.statement_type, t.category) for i, t in enumerate(TEMPLATES)])
    conn.execute("CREATE TEMP TABLE dim_user (usr INTEGER, email VARCHAR, user_id VARCHAR, tool VARCHAR, driver VARCHAR)")
    conn.executemany("INSERT INTO dim_user VALUES (?, ?, ?, ?, ?)",
                     [(u.idx, u.email, u.user_id, u.tool, DRIVERS.get(u.tool)) for u in topo.users])
    conn.execute("CREATE TEMP TABLE dim_wh (wh INTEGER, warehouse_id VARCHAR, workspace_id VARCHAR)")
    conn.executemany("INSERT INTO dim_wh VALUES (?, ?, ?)",
                     [(w.idx, w.id, topo.workspaces[w.workspace].id) for w in topo.warehouses])
    conn.execute("CREATE TEMP TABLE dim_src (src_kind INTEGER, src_idx INTEGER, src_id VARCHAR)")
    from qopt.demo.workload import SRC_ALERT, SRC_DASHBOARD, SRC_GENIE, SRC_NOTEBOOK

    kinds = {"genie": SRC_GENIE, "alert": SRC_ALERT, "notebook": SRC_NOTEBOOK}
    conn.executemany("INSERT INTO dim_src VALUES (?, ?, ?)",
                     [(SRC_DASHBOARD, d.idx, d.id) for d in topo.dashboards]
                     + [(kinds[s.kind], s.idx, s.id) for s in topo.sources])
    conn.execute("CREATE TEMP TABLE dim_job (job_idx INTEGER, job_id VARCHAR, job_name VARCHAR)")
    conn.executemany("INSERT INTO dim_job VALUES (?, ?, ?)", [(j.idx, j.job_id, j.name) for j in topo.sql_jobs])
    conn.execute("CREATE TEMP TABLE dim_err (err INTEGER, message VARCHAR)")
    conn.executemany("INSERT INTO dim_err VALUES (?, ?)", [(i, m) for i, m in enumerate(ERRORS) if m])


class HistoryLoader:
    """Receives batches of staging rows from the simulation and inserts each into query.history.

    The insert of one batch runs on a worker thread while the simulation computes the next one (DuckDB releases
    the GIL while it works); at most two batches are in flight, so memory stays bounded. Call `close()` at the
    end: it waits for the last insert and re-raises any error.
    """

    def __init__(self, conn: duckdb.DuckDBPyConnection, seed: int, *, background: bool = True) -> None:
        self.conn = conn
        self.sql = _expansion_sql(seed)
        self.rows = 0
        self.background = background
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qopt-demo-load")
        self._pending: list[Future] = []

    def write(self, rows: list[tuple]) -> None:
        batch = _columns(rows)  # numpy now, so the Python tuples can go at once
        self.rows += len(rows)
        if not self.background:
            self._insert(batch)
            return
        while len(self._pending) >= 2:
            self._pending.pop(0).result()
        self._pending.append(self._pool.submit(self._insert, batch))

    def _insert(self, batch: dict[str, np.ndarray]) -> None:
        self.conn.execute(self.sql)  # DuckDB scans the local `batch` (a dict of numpy arrays) in place

    def close(self) -> None:
        try:
            for future in self._pending:
                future.result()
        finally:
            self._pending.clear()
            self._pool.shutdown(wait=True, cancel_futures=True)


def _columns(rows: list[tuple]) -> dict[str, np.ndarray]:
    flat = array.array("q", chain.from_iterable(rows))
    matrix = np.frombuffer(flat, dtype=np.int64).reshape(len(rows), len(ROW_FIELDS))
    return {name: np.ascontiguousarray(matrix[:, i]) for i, name in enumerate(ROW_FIELDS)}


def _expansion_sql(seed: int) -> str:
    day = "CAST(make_timestamptz(s.start_ms * 1000) AS DATE)"
    text = (f"format(t.sql_text, CAST({day} - CAST(s.span AS INTEGER) AS VARCHAR), CAST({day} AS VARCHAR), "
            f"CAST(year({day}) - s.lit2 % 2 AS VARCHAR), CAST(s.lit2 AS VARCHAR), "
            f"{_list(REGIONS)}[s.lit2 % {len(REGIONS)} + 1], CAST(1000 + s.lit2 AS VARCHAR), "
            f"{_list(WORDS)}[s.lit2 % {len(WORDS)} + 1])")
    total = "(s.wfc + s.comp + s.wcap + s.exe + s.fetch)"
    app = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in CLIENT_APPLICATION.items())
    return f"""
        INSERT INTO query.history BY NAME
        SELECT
          '{ACCOUNT_ID}' AS account_id,
          w.workspace_id,
          {_uuid_sql(f"'{seed}:' || s.qid")} AS statement_id,
          u.email AS executed_by,
          {_uuid_sql(f"'{seed}:session:' || s.session")} AS session_id,
          CASE s.status WHEN 0 THEN 'FINISHED' WHEN 1 THEN 'FAILED' ELSE 'CANCELED' END AS execution_status,
          struct_pack(type := 'WAREHOUSE', cluster_id := CAST(NULL AS VARCHAR), warehouse_id := w.warehouse_id) AS compute,
          u.user_id AS executed_by_user_id,
          {text} AS statement_text,
          t.statement_type,
          e.message AS error_message,
          CASE t.category {app} ELSE u.tool END AS client_application,
          CASE WHEN t.category = 'adhoc' THEN u.driver END AS client_driver,
          {total} AS total_duration_ms,
          s.wfc AS waiting_for_compute_duration_ms,
          s.wcap AS waiting_at_capacity_duration_ms,
          s.exe AS execution_duration_ms,
          s.comp AS compilation_duration_ms,
          s.task AS total_task_duration_ms,
          s.fetch AS result_fetch_duration_ms,
          make_timestamptz(s.start_ms * 1000) AS start_time,
          make_timestamptz((s.start_ms + {total}) * 1000) AS end_time,
          make_timestamptz((s.start_ms + {total}) * 1000) AS update_time,
          CASE WHEN s.read_files > 0 THEN greatest(1, s.read_files // 25) ELSE 0 END AS read_partitions,
          s.pruned_files, s.read_files, s.read_rows, s.produced_rows, s.read_bytes,
          CAST(s.io_pct AS TINYINT) AS read_io_cache_percent,
          s.origin > 0 AS from_result_cache,
          s.spill AS spilled_local_bytes,
          s.written_bytes,
          s.shuffle AS shuffle_read_bytes,
          struct_pack(
            job_info := CASE WHEN s.src_kind = 2 THEN struct_pack(job_id := j.job_id,
                          job_run_id := CAST(s.run_id AS VARCHAR), job_task_run_id := CAST(s.task_run_id AS VARCHAR)) END,
            legacy_dashboard_id := CAST(NULL AS VARCHAR),
            dashboard_id := CASE WHEN s.src_kind = 1 THEN src.src_id END,
            alert_id := CASE WHEN s.src_kind = 4 THEN src.src_id END,
            notebook_id := CASE WHEN s.src_kind = 5 THEN src.src_id END,
            sql_query_id := CAST(NULL AS VARCHAR),
            genie_space_id := CASE WHEN s.src_kind = 3 THEN src.src_id END,
            pipeline_info := CAST(NULL AS STRUCT(pipeline_id VARCHAR, update_id VARCHAR))
          ) AS query_source,
          a.user_id AS executed_as_user_id,
          a.email AS executed_as,
          s.written_rows, s.written_files,
          CASE WHEN s.origin > 0 THEN {_uuid_sql(f"'{seed}:' || s.origin")} END AS cache_origin_statement_id,
          CASE WHEN s.src_kind = 2 THEN MAP {{'job_name': j.job_name, 'source': 'workflow'}}
               WHEN u.tool = 'dbt' AND t.category = 'adhoc' THEN MAP {{'dbt_project': 'analytics', 'source': 'dbt'}}
          END AS query_tags,
          CAST(NULL AS VARCHAR) AS query_parameters,
          s.pruned_files_bytes, s.read_files_bytes
        FROM batch AS s
        JOIN dim_tmpl AS t ON t.tmpl = s.tmpl
        JOIN dim_user AS u ON u.usr = s.usr
        JOIN dim_user AS a ON a.usr = s.as_usr
        JOIN dim_wh AS w ON w.wh = s.wh
        LEFT JOIN dim_src AS src ON src.src_kind = s.src_kind AND src.src_idx = s.src_idx
        LEFT JOIN dim_job AS j ON j.job_idx = s.job_idx AND s.src_kind = 2
        LEFT JOIN dim_err AS e ON e.err = s.err
    """


def insert_json(conn: duckdb.DuckDBPyConnection, table: str, rows: Iterable[dict], path: Path) -> int:
    """Write `rows` as JSON lines to `path` and insert them by column name, with the table's own types."""
    n = 0
    with path.open("w") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")))
            f.write("\n")
            n += 1
    if n == 0:
        return 0
    schema, name = table.split(".")
    types = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position", [schema, name]).fetchall()
    columns = "{" + ", ".join(f"'{c}': '{t}'" for c, t in types) + "}"
    conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_json(?, format = 'newline_delimited', "
                 f"columns = {columns})", [str(path)])
    return n
