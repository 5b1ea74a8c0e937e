-- Purpose: record a run that could not take the lease because another run holds it.
-- Parameters: $1 trigger; $2 mode; $3 the message, which names the run in progress when known.
-- Returns: the skipped run's id.
INSERT INTO mob.etl_run (status, trigger, mode, started_at, finished_at, error)
VALUES ('skipped', $1, $2, clock_timestamp(), clock_timestamp(), $3)
RETURNING id
