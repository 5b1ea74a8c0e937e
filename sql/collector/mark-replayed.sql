-- Purpose: record that a rejected callback now parses and was stored (or found already stored).
-- Grain: one rejected callback.
-- Parameters: $1 id, $2 outcome ('stored' or 'duplicate').
UPDATE mob.rejected_callback
SET replayed_at = clock_timestamp(), replay_outcome = $2
WHERE id = $1
