-- Purpose: merge step 3: record the load in the same transaction as its rows, so the warehouse and
--          its resume point can never disagree.
-- Parameters: $1 run id; $2 mode; $3 loaded_at (UTC); $4 resume_after_id; $5 data_through (UTC, the
--             newest arrival the warehouse holds, or NULL); $6 rows loaded; $7 of them, rows that were
--             not in the warehouse before (the rest replaced rows read again).
INSERT INTO stg.load (run_id, mode, loaded_at, resume_after_id, data_through, rows_loaded, rows_new, maintained)
VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE)
