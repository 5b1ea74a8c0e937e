-- Purpose: the latest runs, newest first (GET /api/v1/etl/runs).
-- Parameters: $1 how many.
SELECT id, status, trigger, mode, started_at, finished_at, rows_extracted, rows_loaded, staged_files,
       staged_bytes, to_json(days_refreshed) AS days_refreshed, step_ms, rollup_ms, progress, error
FROM mob.etl_run
ORDER BY id DESC
LIMIT $1
