-- Purpose: the activities of the days in refresh_day whose activities are recounted (metrics.md), production
--          only (no sandbox, no rejected_* kinds), described once as the rollups count them: the day of
--          the activity (refresh_day's day); the day its session length counts for (last_session_time's
--          with last_time_spent and a length > 0, created_at's day when it is empty; the activity's own
--          day with time_spent); app, os, country and channel; whether it is a registration (an event
--          whose token or name is in stg.registration_event); its session length (a whole number > 0 of
--          the chosen field) and whether it counts as a session; whether it makes its device active; its
--          revenue in US dollars as refresh/fragments/revenue_usd.sql counts it. An activity that counts
--          in none of these is left out. The activities join refresh_day on their UTC date (an equality),
--          within the day's instants.
-- Grain: one row per activity counted.
-- Parameters: $1 the session length field ('last_time_spent' or 'time_spent'), $2 and $3 the first and
--             last instants (UTC) of all refreshed days, to narrow the scan;
--             {report_timezone} the report time zone, a quoted literal (RefreshQueries fills it in).
-- Each description (app, channel, registration, session length, revenue, …) is written once, in
--          refresh/fragments/ (SqlCatalog fills them in), and shared with delta/load-rows.sql.
INSERT INTO recount_rows (id, adid, activity_kind, created_day, length_day, app, os, country, channel, registrations, session_seconds, sessions,
                          activities, revenue_usd)
SELECT id, adid, activity_kind, created_day, length_day, app, os, country, channel, registrations, session_seconds, sessions, activities, revenue_usd
FROM (
  SELECT a.id,
         a.adid,
         a.activity_kind,
         r.day AS created_day,
         CASE WHEN {last_session_length:a} THEN CAST((a.last_session_time AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE)
              ELSE r.day
         END AS length_day,
         {app:a} AS app,
         COALESCE(a.os_name, '') AS os,
         COALESCE(a.country, '') AS country,
         {channel:a} AS channel,
         {registration:a} AS registrations,
         {session_seconds:a} AS session_seconds,
         {has_session_length:a} AS sessions,
         {active:a} AS activities,
         {revenue_usd:a} AS revenue_usd
  FROM stg.adjust a
  JOIN refresh_day r
    ON CAST(a.created_at AS DATE) = r.bucket AND a.created_at >= r.starts_at AND a.created_at < r.ends_at AND r.activities
  LEFT JOIN stg.registration_event by_token ON by_token.name = a.event
  LEFT JOIN stg.registration_event by_name ON by_name.name = a.event_name
  WHERE a.created_at >= $2 AND a.created_at < $3
    AND a.activity_kind IN ('event', 'install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall')
    AND COALESCE(a.environment, '') <> 'sandbox'
) described
WHERE registrations + sessions + activities > 0 OR revenue_usd <> 0
