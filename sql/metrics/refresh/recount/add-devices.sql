-- Purpose: the devices whose active days the refresh may change: those active on a day of refresh_day
--          whose activities are recounted, before it (stg.active_device) or after it (their activities, as
--          recount/insert-rows.sql described them). Only their contributions to the active-window changes
--          are recomputed.
-- Parameters: none; the days are in refresh_day, the activities in recount_rows.
INSERT INTO refresh_device (adid)
SELECT adid
FROM stg.active_device
WHERE day IN (SELECT day FROM refresh_day WHERE activities)
UNION
SELECT adid
FROM recount_rows
WHERE activities = 1
  AND adid IS NOT NULL
