-- Purpose: the run in progress, to name it when another run is refused (409).
-- Returns: zero or one row.
SELECT id
FROM mob.etl_run
WHERE status = 'running'
ORDER BY id DESC
LIMIT 1
