"""qopt: find and fix expensive, slow Databricks SQL from Slack, Teams and the terminal."""

__version__ = "0.1.0"
