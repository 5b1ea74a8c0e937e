-- Purpose: record a run that holds the lease and is starting.
-- Parameters: $1 trigger (schedule, reconcile, api, cli, demo); $2 mode (arrival, window, rebuild).
-- Returns: the run's id.
INSERT INTO mob.etl_run (status, trigger, mode, started_at)
VALUES ('running', $1, $2, clock_timestamp())
RETURNING id
