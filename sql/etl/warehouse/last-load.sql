-- Purpose: the latest load: where the next arrival-mode extract resumes, and what the warehouse holds.
-- Returns: zero or one row.
SELECT run_id, mode, loaded_at, resume_after_id, data_through, rows_loaded
FROM stg.load
ORDER BY loaded_at DESC, run_id DESC
LIMIT 1
