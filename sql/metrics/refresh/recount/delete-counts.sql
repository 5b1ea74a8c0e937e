-- Purpose: remove the registrations and session lengths of the days whose activities are recounted (by the
--          activities' own day).
-- Parameters: none; the days are in refresh_day.
DELETE FROM stg.daily_counts
WHERE created_day IN (SELECT day FROM refresh_day WHERE activities)
