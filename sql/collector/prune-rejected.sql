-- Purpose: forget refused callbacks kept longer than REJECTED_RETENTION_DAYS, a batch at a time, so that no
--          statement runs long or holds many row locks. Ids follow arrival, so the oldest come first.
-- Grain: deletes up to $2 rows of mob.rejected_callback, the oldest first.
-- Parameters: $1 the arrival time before which a refused callback is forgotten; $2 the most rows deleted.
DELETE FROM mob.rejected_callback
WHERE id IN (
  SELECT id FROM mob.rejected_callback
  WHERE received_at < $1
  ORDER BY id
  LIMIT $2
)
