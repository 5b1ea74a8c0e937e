-- Purpose: describe what extract/activities.sql is about to stream, in the same snapshot: how many
--          rows, the newest arrival, the earliest event time, and the days the rows belong to.
-- Grain: one row per (event day, previous-session day) pair, days as YYYY-MM-DD; the caller adds them up.
-- Parameters: $1 the report time zone (IANA name); the bounds come from extract/set-bounds.sql.
SELECT to_char(created_at AT TIME ZONE $1, 'YYYY-MM-DD')         AS created_day,
       to_char(last_session_time AT TIME ZONE $1, 'YYYY-MM-DD') AS session_day,
       count(*)                                                 AS row_count,
       max(received_at)                                         AS data_through,
       min(created_at)                                          AS first_created_at
FROM mob.adjust
WHERE id > current_setting('mob_etl.after_id')::bigint
   OR created_at >= current_setting('mob_etl.window_start')::timestamptz
GROUP BY 1, 2
