-- Purpose: the devices active on the days in refresh_day whose activities are recounted (metrics.md "Active":
--          an install, session, reattribution, reinstall or reattribution_reinstall that day; production
--          only), with the dimension values of their activities (a device seen in two countries that day is
--          in both), from the activities as recount/insert-rows.sql described them. In the order of the
--          table's index by device (on PostgreSQL): a build of millions of rows then appends to it.
-- Grain: one row per (day, adid, app, os, country, channel).
-- Parameters: none; the activities are in recount_rows.
INSERT INTO stg.active_device (day, adid, app, os, country, channel)
SELECT DISTINCT created_day, adid, app, os, country, channel
FROM recount_rows
WHERE activities = 1
  AND adid IS NOT NULL
ORDER BY adid, created_day
