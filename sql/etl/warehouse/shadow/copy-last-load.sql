-- Purpose: with the copies of a window run, the live warehouse's latest load record: where the copied
--          rows end (the resume point the repair's extract starts from). Recorded under run id 0, below
--          every run's: loads that started after the repair have higher ids than its own, and its
--          build's record must read as the latest beside the live tables (its catch-up resumes from it).
INSERT INTO stg.load_next (run_id, mode, loaded_at, resume_after_id, resume_snapshot, data_through, rows_loaded, rows_new, first_changed_day, maintained)
SELECT 0, mode, loaded_at, resume_after_id, resume_snapshot, data_through, rows_loaded, rows_new, first_changed_day, maintained
FROM stg.load
WHERE run_id = (SELECT MAX(run_id) FROM stg.load)
