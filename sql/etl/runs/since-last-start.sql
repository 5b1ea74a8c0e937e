-- Purpose: how long ago the latest load began, on any replica (skipped runs do not count), by the source
--          database's clock: a continuous schedule starts the next load no sooner than its minimum
--          interval after it.
-- Returns: zero or one row, seconds_ago. Reads the primary key backwards from the newest run.
SELECT EXTRACT(EPOCH FROM clock_timestamp() - started_at) AS seconds_ago
FROM mob.etl_run
WHERE status <> 'skipped'
ORDER BY id DESC
LIMIT 1
