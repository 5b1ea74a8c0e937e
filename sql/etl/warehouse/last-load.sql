-- Purpose: the latest load: where the next extract resumes (the highest id and the snapshot of its
--          extract), and the newest arrival the warehouse holds.
-- Returns: zero or one row. Run ids come from one sequence (the source's), unlike loaded_at, which is
--          the clock of whichever replica ran the load. Beside the live tables a repair records several
--          loads under its one id (its build's, then its catch-ups', from one process): the latest of them.
SELECT resume_after_id, resume_snapshot, data_through
FROM stg.load
ORDER BY run_id DESC, loaded_at DESC, resume_after_id DESC
LIMIT 1
