-- Purpose: the run in progress and how far it has come, for the event stream's progress events (the
--          dashboard's bar while a rebuild or a window run works, on any replica or the command line).
--          A repair first: arrival loads go on beside it, each for a few seconds.
-- Returns: zero or one row.
SELECT id, mode, started_at, progress
FROM mob.etl_run
WHERE status = 'running'
ORDER BY CASE WHEN mode = 'arrival' THEN 1 ELSE 0 END, id DESC
LIMIT 1
