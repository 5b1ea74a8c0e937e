-- Purpose: the newest ETL run that was not skipped, for the health endpoint: whether loads are
--          running, succeeding or failing (the error stays in the admin-only run record).
-- Grain: one row or none. Parameters: none.
SELECT id, status, started_at, finished_at
FROM mob.etl_run
WHERE status <> 'skipped'
ORDER BY id DESC
LIMIT 1
