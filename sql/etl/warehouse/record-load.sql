-- Purpose: merge step 3: record the load in the same transaction as its rows, so the warehouse and
--          its resume point can never disagree.
-- Parameters: $1 run id; $2 mode; $3 loaded_at (UTC); $4 resume_after_id and $5 resume_snapshot (the
--             highest id the extract saw, and its snapshot); $6 data_through (UTC, the newest arrival
--             the warehouse holds, or NULL); $7 rows loaded; $8 of them, rows that were not in the
--             warehouse before (the rest replaced rows read again); $9 the first report day whose
--             numbers the load changed (NULL: any day may have).
INSERT INTO stg.load (run_id, mode, loaded_at, resume_after_id, resume_snapshot, data_through, rows_loaded, rows_new, first_changed_day, maintained)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE)
