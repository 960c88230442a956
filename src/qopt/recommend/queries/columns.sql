-- Columns of one table, in order, from the information schema (Databricks: system.information_schema,
-- every catalog of the metastore). The schema is optional: NULL matches any.
SELECT table_catalog, table_schema, table_name, column_name, ordinal_position
FROM system.information_schema.columns
WHERE lower(table_name) = :table
  AND (:schema IS NULL OR lower(table_schema) = :schema)
ORDER BY table_catalog, table_schema, table_name, ordinal_position
