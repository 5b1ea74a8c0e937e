-- Purpose: put the cohorts of the devices in retention_device into stg.daily_retention as they are now:
--          +1 install, and +1 for each day it was retained, per cohort row.
-- Grain: one row per (day, app, os, country, channel) of their cohorts.
-- Parameters: none.
INSERT INTO retention_work (day, app, os, country, channel, installs, d1, d7, d30)
SELECT c.day, c.app, c.os, c.country, c.channel, COUNT(*), SUM(c.d1), SUM(c.d7), SUM(c.d30)
FROM stg.cohort_device c
JOIN retention_device t ON t.adid = c.adid
GROUP BY c.day, c.app, c.os, c.country, c.channel
