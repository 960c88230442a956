"""Warehouses that answer SQL over the system tables: embedded DuckDB or a Databricks SQL warehouse."""

from qopt.warehouse.base import Result, Warehouse

__all__ = ["Result", "Warehouse"]
