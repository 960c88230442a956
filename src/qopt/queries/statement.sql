-- uses: runs
-- One statement's full history row plus its normalized-text key. The window bounds the scan.
SELECT h.*, r.group_key
FROM system.query.history AS h
JOIN runs AS r ON r.statement_id = h.statement_id
WHERE h.statement_id = :statement_id AND h.start_time >= :start AND h.start_time < :end
