-- Purpose: a run that holds a lock knows no other run of the modes it guards is alive: any other row of
--          them still 'running' belongs to a process that died mid-run. Mark those failed so the record
--          tells the truth. The ETL lease guards arrival loads; the repair lock, window runs and rebuilds
--          (a repair works beside the live loads, holding the ETL lease only to swap).
-- Parameters: $1 the id of the run that holds the lock; $2 the modes it guards.
UPDATE mob.etl_run
SET status = 'failed',
    finished_at = clock_timestamp(),
    error = 'abandoned: the process running it stopped before it finished (the warehouse kept its last complete load)'
WHERE status = 'running'
  AND id <> $1
  AND mode = ANY($2::text[])
