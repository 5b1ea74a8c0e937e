-- Purpose: a run that holds the lease knows no other run is alive: any other row still 'running'
--          belongs to a process that died mid-run. Mark those failed so the record tells the truth.
-- Parameters: $1 the id of the run that holds the lease.
UPDATE mob.etl_run
SET status = 'failed',
    finished_at = clock_timestamp(),
    error = 'abandoned: the process running it stopped before it finished (the warehouse kept its last complete load)'
WHERE status = 'running'
  AND id <> $1
