-- Purpose: the settings the rollups were built with (none before the first build).
-- Grain: zero or one row. Parameters: none.
SELECT timezone, registration_events, session_length_field
FROM stg.rollup_build
