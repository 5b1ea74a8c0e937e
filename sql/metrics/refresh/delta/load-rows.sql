-- Purpose: an arrival load's own rows (stage_adjust, every one of them new to the warehouse), production
--          only, described as the rollups count them (metrics.md): their report-time-zone day; the day a
--          session length counts for (last_session_time's with last_time_spent, else the row's own); app,
--          os, country and the row's own channel; whether the row is a registration; its session length;
--          whether it is a session (an activity that makes its device active); its revenue in US dollars.
-- Grain: one row per activity (sandbox rows left out: they count nowhere).
-- Parameters: $1 the session length field ('last_time_spent' or 'time_spent');
--             {report_timezone} the report time zone, a quoted literal (RefreshQueries fills it in).
-- Each description (app, channel, registration, session length, revenue, …) is written once, in
--          refresh/fragments/ (SqlCatalog fills them in), and shared with recount/insert-rows.sql.
INSERT INTO load_rows (id, adid, activity_kind, created_day, length_day, app, os, country, channel, registrations, session_seconds, sessions, activities, revenue_usd)
SELECT a.id,
       a.adid,
       a.activity_kind,
       CAST((a.created_at AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE),
       CAST((CASE WHEN {last_session_length:a} THEN a.last_session_time ELSE a.created_at END AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE),
       {app:a},
       COALESCE(a.os_name, ''),
       COALESCE(a.country, ''),
       {channel:a},
       {registration:a},
       {session_seconds:a},
       {has_session_length:a},
       {active:a},
       {revenue_usd:a}
FROM stage_adjust a
LEFT JOIN stg.registration_event by_token ON by_token.name = a.event
LEFT JOIN stg.registration_event by_name ON by_name.name = a.event_name
WHERE COALESCE(a.environment, '') <> 'sandbox'
