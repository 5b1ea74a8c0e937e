-- Purpose: remove the active devices of the days whose activities are recounted.
-- Parameters: none; the days are in refresh_day.
DELETE FROM stg.active_device
WHERE day IN (SELECT day FROM refresh_day WHERE activities)
