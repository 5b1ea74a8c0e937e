-- Purpose: the swap's load record in the live stg.load, in the swap's transaction: the repair's last
--          load beside the live warehouse (its catch-up, with the resume point the next load starts
--          from), recorded under the repair's mode, as having changed any day (first_changed_day NULL).
--          Both of the repair's loads are recorded under its id: its build's, then its catch-up's.
-- Parameters: $1 the repair's run id; $2 its mode; $3 the rows it loaded in all.
INSERT INTO stg.load (run_id, mode, loaded_at, resume_after_id, resume_snapshot, data_through, rows_loaded, rows_new, first_changed_day, maintained)
SELECT run_id, $2, loaded_at, resume_after_id, resume_snapshot, data_through, $3, rows_new, NULL, FALSE
FROM stg.load_next
WHERE run_id = $1
ORDER BY loaded_at DESC, resume_after_id DESC
LIMIT 1
