-- Purpose: a full build recomputes every device's active-window changes: all devices of
--          stg.active_device, once each, into refresh_device.
-- Parameters: none.
INSERT INTO refresh_device (adid)
SELECT DISTINCT adid
FROM stg.active_device
