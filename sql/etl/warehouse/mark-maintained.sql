-- Purpose: note that ANALYZE/VACUUM ran after this run's load.
-- Parameters: $1 run id.
UPDATE stg.load
SET maintained = TRUE
WHERE run_id = $1
