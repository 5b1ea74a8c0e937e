-- Purpose: the run in progress of the given modes (those a lock guards), to name it when another run
--          is refused (409).
-- Parameters: $1 the modes.
-- Returns: zero or one row.
SELECT id
FROM mob.etl_run
WHERE status = 'running'
  AND mode = ANY($1::text[])
ORDER BY id DESC
LIMIT 1
