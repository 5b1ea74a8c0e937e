-- Purpose: the end time of the newest successful ETL run, for the health endpoint.
-- Grain: one row or none. Parameters: none.
SELECT finished_at
FROM mob.etl_run
WHERE status = 'succeeded'
ORDER BY finished_at DESC
LIMIT 1
