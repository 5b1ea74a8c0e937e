-- Purpose: the stg tables that the daily maintenance's VACUUM and ANALYZE would pass over because this
--          user does not own them (on Redshift they then succeed doing nothing, r_VACUUM_command), so
--          that maintenance is not recorded as done when it was not.
-- Returns: one row per such table (schema-qualified name).
SELECT 'stg.' || tablename AS table_name
FROM pg_tables
WHERE schemaname = 'stg' AND tableowner <> current_user
ORDER BY tablename
