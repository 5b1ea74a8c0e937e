-- Purpose: the latest load: where the next extract resumes (the highest id and the snapshot of its
--          extract), and the newest arrival the warehouse holds.
-- Returns: zero or one row. Run ids come from one sequence (the source's), unlike loaded_at, which is
--          the clock of whichever replica ran the load.
SELECT resume_after_id, resume_snapshot, data_through
FROM stg.load
ORDER BY run_id DESC
LIMIT 1
