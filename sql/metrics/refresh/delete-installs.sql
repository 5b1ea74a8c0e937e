-- Purpose: remove the installs of the days being recounted.
-- Parameters: none; the days are in stg.refresh_day.
DELETE FROM stg.daily_installs
WHERE day IN (SELECT day FROM stg.refresh_day)
