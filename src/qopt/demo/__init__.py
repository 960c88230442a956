"""The demo workload: a deterministic, realistic synthetic Databricks account for the embedded warehouse.

`generator.generate` writes it; `templates` holds the statement templates (and which anti-patterns they carry),
`topology` the account (workspaces, users, warehouses, clusters, jobs), `workload` the query arrivals and the
warehouse simulation, `billing` the usage and price rows, `tables` the demo's own user tables, `writer` the bulk
loading into DuckDB.
"""
