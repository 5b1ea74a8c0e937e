-- Purpose: record the settings a full build of the rollups used.
-- Parameters: $1 the run, $2 when (UTC), $3 the report time zone, $4 the registration events (comma
--             list), $5 the session length field.
INSERT INTO stg.rollup_build (run_id, built_at, timezone, registration_events, session_length_field)
VALUES ($1, $2, $3, $4, $5)
