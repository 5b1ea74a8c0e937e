-- Purpose: the latest load: where the next arrival-mode extract resumes, and what the warehouse holds.
-- Returns: zero or one row. Run ids come from one sequence (the source's), unlike loaded_at, which is
--          the clock of whichever replica ran the load.
SELECT run_id, mode, loaded_at, resume_after_id, data_through, rows_loaded
FROM stg.load
ORDER BY run_id DESC
LIMIT 1
