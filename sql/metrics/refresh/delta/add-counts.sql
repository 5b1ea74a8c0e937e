-- Purpose: the registrations, session seconds, session lengths, sessions and revenue an arrival load's rows add, into the
--          work table merged into stg.daily_counts: additive, so the new rows' sums are the change.
-- Grain: one row per (activities' day, day counted for, app, os, country, channel).
-- Parameters: none; the rows are in load_rows.
INSERT INTO counts_work (created_day, day, app, os, country, channel, registrations, session_seconds, sessions, activities, revenue_usd)
SELECT created_day, length_day, app, os, country, channel, SUM(registrations), SUM(session_seconds), SUM(sessions),
       SUM(activities), SUM(revenue_usd)
FROM load_rows
WHERE registrations + sessions + activities > 0 OR revenue_usd <> 0
GROUP BY created_day, length_day, app, os, country, channel
