-- Purpose: keep a callback the klips cannot use, with the reason it was refused.
-- Grain: one row per refused callback; returns its id, which the log line of the refusal names.
-- Parameters: $1 method (GET or POST), $2 reason, $3 the URL's query string (token value removed),
--             $4 the received parameters as JSON (token removed).
INSERT INTO mob.rejected_callback (method, reason, raw_query, params)
VALUES ($1, $2, $3, $4::jsonb)
RETURNING id
