-- Purpose: recount registrations, session lengths, sessions, activities and revenue of the days in
--          refresh_day whose activities are recounted (metrics.md), from their activities as
--          recount/insert-rows.sql described them: each by the activities' own day and the day counted for.
-- Grain: one row per (activities' day, day counted for, app, os, country, channel).
-- Parameters: none; the activities are in recount_rows.
INSERT INTO stg.daily_counts (created_day, day, app, os, country, channel, registrations, session_seconds, sessions, activities, revenue_usd)
SELECT created_day, length_day, app, os, country, channel, SUM(registrations), SUM(session_seconds), SUM(sessions), SUM(activities),
       SUM(revenue_usd)
FROM recount_rows
GROUP BY created_day, length_day, app, os, country, channel
-- as a load's changes merge: a key whose values add up to nothing has no row
HAVING SUM(registrations) + SUM(sessions) + SUM(activities) > 0 OR SUM(revenue_usd) <> 0
