-- Purpose: one run (GET /api/v1/etl/runs/{id}).
-- Parameters: $1 id.
SELECT id, status, trigger, mode, started_at, finished_at, rows_extracted, rows_loaded, staged_files,
       staged_bytes, to_json(days_refreshed) AS days_refreshed, step_ms, rollup_ms, progress, error
FROM mob.etl_run
WHERE id = $1
