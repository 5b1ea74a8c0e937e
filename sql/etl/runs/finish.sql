-- Purpose: close a run as succeeded or failed, with its final counts.
-- Parameters: $1 id; $2 status; $3 error message or NULL; $4 rows extracted; $5 rows loaded;
--             $6 staged files; $7 staged bytes; $8 days refreshed (DATE[]); $9 step durations (JSON);
--             $10 the rollup statements' durations (JSON); $11 the progress (JSON; 100 % when it
--             succeeded, where it stopped when it failed).
UPDATE mob.etl_run
SET status = $2,
    finished_at = clock_timestamp(),
    error = $3,
    rows_extracted = $4,
    rows_loaded = $5,
    staged_files = $6,
    staged_bytes = $7,
    days_refreshed = $8,
    step_ms = $9,
    rollup_ms = $10,
    progress = $11
WHERE id = $1
