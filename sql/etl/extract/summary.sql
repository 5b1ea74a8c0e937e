-- Purpose: describe what extract/activities.sql streams, in the same snapshot (import-snapshot.sql), on
--          a connection of its own while the COPY streams (their count is the progress bar's total): how
--          many rows, the newest arrival, and the report-time-zone days the rows belong to (by created_at
--          and by last_session_time).
-- Grain: one row per (event day, previous-session day) pair, days as YYYY-MM-DD; the caller adds them
--        up. Grouping on date_trunc and formatting only the groups keeps it cheap per row.
-- Parameters: $1 the report time zone (IANA name). Which rows: fragments/extract_bounds.sql, as in
--             activities.sql.
SELECT to_char(created_day, 'YYYY-MM-DD') AS created_day,
       to_char(session_day, 'YYYY-MM-DD') AS session_day,
       row_count,
       data_through
FROM (
  SELECT date_trunc('day', created_at AT TIME ZONE $1)        AS created_day,
         date_trunc('day', last_session_time AT TIME ZONE $1) AS session_day,
         count(*)                                             AS row_count,
         max(received_at)                                     AS data_through
  FROM mob.adjust
  WHERE {extract_bounds:adjust}
  GROUP BY 1, 2
) AS days
