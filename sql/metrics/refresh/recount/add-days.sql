-- Purpose: name the report-time-zone days a recount counts again, all in one multi-row INSERT (Redshift
--          writes single-row INSERTs slowest): all their activities, or only their installs. A day has
--          one row per UTC date it overlaps (its bucket; two, or three across a DST change, where the
--          zone is not UTC), so the recount's statements join stg.adjust on that date, an equality, and
--          keep the day's own instants as a filter (an inequality-only join is a nested loop on Redshift).
-- Placeholders: rows (the VALUES list below), one "($n, …)" per row of five parameter markers
--               (src/etl/rollups/recount.ts).
-- Parameters: per row, the day (YYYY-MM-DD), the UTC date, the day's first instant and the next day's
--             (UTC), and true for all its activities, false for its installs alone (an install_update
--             moved their channel).
INSERT INTO refresh_day (day, bucket, starts_at, ends_at, activities)
VALUES {rows}
