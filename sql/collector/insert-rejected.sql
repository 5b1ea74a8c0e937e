-- Purpose: keep a callback the klips cannot use, with the reason it was refused.
-- Grain: one row per refused callback.
-- Parameters: $1 method (GET or POST), $2 reason, $3 the received parameters as JSON (token removed).
INSERT INTO mob.rejected_callback (method, reason, params)
VALUES ($1, $2, $3::jsonb)
