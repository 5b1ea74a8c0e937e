-- Purpose: remove the installs of the days being recounted.
-- Parameters: none; the days are in refresh_day.
DELETE FROM stg.daily_installs
WHERE day IN (SELECT day FROM refresh_day)
