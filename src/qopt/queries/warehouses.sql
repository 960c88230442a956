-- The current configuration of every warehouse (the latest row per warehouse_id).
SELECT warehouse_id, workspace_id, warehouse_name, warehouse_type, warehouse_size, min_clusters, max_clusters,
       auto_stop_minutes, change_time, delete_time
FROM system.compute.warehouses
WHERE change_time < :end AND workspace_id IN (:workspaces)
QUALIFY row_number() OVER (PARTITION BY warehouse_id ORDER BY change_time DESC) = 1
