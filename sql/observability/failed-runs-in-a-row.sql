-- Purpose: the ETL runs that failed since the last successful one (skipped runs aside), for the "loads
--          failing" alert; read from the run records, so every replica reports the same number whichever
--          replica ran them. Both lookups follow the (status, finished_at) index.
-- Grain: one row. Parameters: none.
SELECT count(*) AS failed
FROM mob.etl_run
WHERE status = 'failed'
  AND finished_at > COALESCE((SELECT max(finished_at) FROM mob.etl_run WHERE status = 'succeeded'), '-infinity'::timestamptz)
