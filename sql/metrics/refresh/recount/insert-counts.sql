-- Purpose: recount registrations, session lengths, sessions and revenue of the days in refresh_day whose
--          activities are recounted (metrics.md): production only (no sandbox, no rejected_* kinds);
--          registrations are events whose token or name is in stg.registration_event; a session length is
--          a whole number > 0 of the chosen field, counted for the day of last_session_time
--          (last_time_spent; created_at's day when it is empty) or of the session itself (time_spent, the
--          current session's length); sessions are the activities that make a device active, revenue
--          in US dollars as refresh/fragments/revenue_usd.sql counts it. Both on the activities' own day.
--          The activities join refresh_day on their UTC date (an equality), within the day's instants.
-- Grain: one row per (activities' day, day counted for, app, os, country, channel).
-- Parameters: $1 the session length field ('last_time_spent' or 'time_spent'), $2 and $3 the first and
--             last instants (UTC) of all refreshed days, to narrow the scan;
--             {report_timezone} the report time zone, a quoted literal (RefreshQueries fills it in).
-- App and channel: written once, in refresh/fragments/app.sql and channel.sql (SqlCatalog fills them in).
INSERT INTO stg.daily_counts (created_day, day, app, os, country, channel, registrations, session_seconds, sessions, activities, revenue_usd)
SELECT created_day, day, app, os, country, channel, SUM(registration), SUM(session_seconds), SUM(session), SUM(activity), SUM(revenue_usd)
FROM (
  SELECT r.day AS created_day,
         CASE WHEN a.activity_kind = 'session' AND $1 = 'last_time_spent' AND a.last_time_spent > 0 AND a.last_session_time IS NOT NULL
              THEN CAST((a.last_session_time AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE)
              ELSE r.day
         END AS day,
         {app:a} AS app,
         COALESCE(a.os_name, '') AS os,
         COALESCE(a.country, '') AS country,
         {channel:a} AS channel,
         CASE WHEN a.activity_kind = 'event' AND (by_token.name IS NOT NULL OR by_name.name IS NOT NULL) THEN 1 ELSE 0 END AS registration,
         CASE WHEN a.activity_kind <> 'session' THEN 0
              WHEN $1 = 'time_spent' THEN CASE WHEN a.time_spent > 0 THEN a.time_spent ELSE 0 END
              ELSE CASE WHEN a.last_time_spent > 0 THEN a.last_time_spent ELSE 0 END
         END AS session_seconds,
         CASE WHEN a.activity_kind <> 'session' THEN 0
              WHEN $1 = 'time_spent' THEN CASE WHEN a.time_spent > 0 THEN 1 ELSE 0 END
              ELSE CASE WHEN a.last_time_spent > 0 THEN 1 ELSE 0 END
         END AS session,
         CASE WHEN a.activity_kind IN ('install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall') THEN 1 ELSE 0 END AS activity,
         {revenue_usd:a} AS revenue_usd
  FROM stg.adjust a
  JOIN refresh_day r
    ON CAST(a.created_at AS DATE) = r.bucket AND a.created_at >= r.starts_at AND a.created_at < r.ends_at AND r.activities
  LEFT JOIN stg.registration_event by_token ON by_token.name = a.event
  LEFT JOIN stg.registration_event by_name ON by_name.name = a.event_name
  WHERE a.created_at >= $2 AND a.created_at < $3
    AND a.activity_kind IN ('event', 'install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall')
    AND COALESCE(a.environment, '') <> 'sandbox'
) activities
WHERE registration + session + activity > 0 OR revenue_usd <> 0
GROUP BY created_day, day, app, os, country, channel
-- as a load's changes merge: a key whose values add up to nothing has no row
HAVING SUM(registration) + SUM(session) + SUM(activity) > 0 OR SUM(revenue_usd) <> 0
