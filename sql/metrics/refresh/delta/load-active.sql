-- Purpose: the (day, device, app, os, country, channel) an arrival load makes active that
--          stg.active_device does not hold yet (metrics.md "Active": an install, session,
--          reattribution, reinstall or reattribution_reinstall that day): only these move the DAU, WAU
--          and MAU window changes; another session of a device already active that day moves nothing.
-- Grain: one row per new (day, adid, app, os, country, channel); an equality join on day and device.
-- Parameters: none; the rows are in load_rows.
INSERT INTO load_active (day, adid, app, os, country, channel)
SELECT DISTINCT n.created_day, n.adid, n.app, n.os, n.country, n.channel
FROM load_rows n
LEFT JOIN stg.active_device d
  ON d.day = n.created_day AND d.adid = n.adid AND d.app = n.app AND d.os = n.os AND d.country = n.country AND d.channel = n.channel
WHERE n.activities = 1
  AND n.adid IS NOT NULL
  AND d.adid IS NULL
