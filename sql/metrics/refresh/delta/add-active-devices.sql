-- Purpose: write an arrival load's new active (day, device, values) into stg.active_device, between the
--          two passes of refresh/active-windows/add-active-changes.sql over its devices (before, then after).
-- Parameters: none; the rows are in load_active.
INSERT INTO stg.active_device (day, adid, app, os, country, channel)
SELECT day, adid, app, os, country, channel
FROM load_active
