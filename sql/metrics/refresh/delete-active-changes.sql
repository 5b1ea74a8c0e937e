-- Purpose: remove the active-window changes of the days being recomputed.
-- Parameters: $1 and $2 the first and last day (inclusive).
DELETE FROM stg.active_change
WHERE day >= $1 AND day <= $2
