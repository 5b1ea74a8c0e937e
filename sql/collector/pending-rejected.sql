-- Purpose: the next page of rejected callbacks that have not been replayed yet.
-- Grain: one row per rejected callback, oldest first.
-- Parameters: $1 the last id already examined (0 to start), $2 page size.
SELECT id, params
FROM mob.rejected_callback
WHERE replayed_at IS NULL AND id > $1
ORDER BY id
LIMIT $2
