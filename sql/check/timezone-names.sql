-- Purpose: the time zone names the warehouse knows, to check REPORT_TIMEZONE against at start: AT TIME
--          ZONE resolves names from this list, whose tzdata may differ from Node's. The form Redshift
--          documents (r_TIMEZONE, time-zone-names); PostgreSQL answers it too. Each row is a record
--          (name,abbrev,utc_offset,is_dst) as text; the leader node answers it on Redshift.
-- Returns: one row per zone name.
SELECT pg_timezone_names() AS zone
