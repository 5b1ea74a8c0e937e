-- Purpose: an arrival load's own rows (stage_adjust, every one of them new to the warehouse), production
--          only, described as the rollups count them (metrics.md): their report-time-zone day; the day a
--          session length counts for (last_session_time's with last_time_spent, else the row's own); app,
--          os, country and the row's own channel; whether the row is a registration; its session length;
--          whether it is a session (an activity that makes its device active); its revenue in US dollars.
-- Grain: one row per activity (sandbox rows left out: they count nowhere).
-- Parameters: $1 the session length field ('last_time_spent' or 'time_spent');
--             {report_timezone} the report time zone, a quoted literal (RefreshQueries fills it in).
-- App, channel and revenue: written once, in refresh/fragments/app.sql, channel.sql and revenue_usd.sql
--          (SqlCatalog fills them in).
INSERT INTO load_rows (id, adid, activity_kind, created_day, length_day, app, os, country, channel, registrations, session_seconds, sessions, activities, revenue_usd)
SELECT a.id,
       a.adid,
       a.activity_kind,
       CAST((a.created_at AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE),
       CAST((CASE WHEN a.activity_kind = 'session' AND $1 = 'last_time_spent' AND a.last_time_spent > 0 AND a.last_session_time IS NOT NULL
                  THEN a.last_session_time
                  ELSE a.created_at
             END AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE),
       {app:a},
       COALESCE(a.os_name, ''),
       COALESCE(a.country, ''),
       {channel:a},
       CASE WHEN a.activity_kind = 'event' AND (by_token.name IS NOT NULL OR by_name.name IS NOT NULL) THEN 1 ELSE 0 END,
       CASE WHEN a.activity_kind <> 'session' THEN 0
            WHEN $1 = 'time_spent' THEN CASE WHEN a.time_spent > 0 THEN a.time_spent ELSE 0 END
            ELSE CASE WHEN a.last_time_spent > 0 THEN a.last_time_spent ELSE 0 END
       END,
       CASE WHEN a.activity_kind <> 'session' THEN 0
            WHEN $1 = 'time_spent' THEN CASE WHEN a.time_spent > 0 THEN 1 ELSE 0 END
            ELSE CASE WHEN a.last_time_spent > 0 THEN 1 ELSE 0 END
       END,
       CASE WHEN a.activity_kind IN ('install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall') THEN 1 ELSE 0 END,
       {revenue_usd:a}
FROM stage_adjust a
LEFT JOIN stg.registration_event by_token ON by_token.name = a.event
LEFT JOIN stg.registration_event by_name ON by_name.name = a.event_name
WHERE COALESCE(a.environment, '') <> 'sandbox'
