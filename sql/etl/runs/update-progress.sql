-- Purpose: record a running run's progress after each step and every second of a long one, so
--          GET /etl/runs/{id} shows it live.
-- Parameters: $1 id; $2 rows extracted; $3 rows loaded; $4 staged files; $5 staged bytes;
--             $6 days refreshed (DATE[]); $7 step durations in ms (JSON object); $8 the rollup
--             statements' durations in ms (JSON object); $9 the progress (JSON: phase, detail, percent,
--             secondsLeft).
UPDATE mob.etl_run
SET rows_extracted = $2,
    rows_loaded = $3,
    staged_files = $4,
    staged_bytes = $5,
    days_refreshed = $6,
    step_ms = $7,
    rollup_ms = $8,
    progress = $9
WHERE id = $1
