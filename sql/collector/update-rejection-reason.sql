-- Purpose: a rejected callback still does not parse; keep the reason the current parser gives.
-- Grain: one rejected callback.
-- Parameters: $1 id, $2 reason.
UPDATE mob.rejected_callback
SET reason = $2
WHERE id = $1
