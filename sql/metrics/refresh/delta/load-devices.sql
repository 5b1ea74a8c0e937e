-- Purpose: the devices whose active-window changes an arrival load moves: those with a new active
--          (day, values) in load_active, once each.
-- Parameters: none.
INSERT INTO refresh_device (adid)
SELECT DISTINCT adid
FROM load_active
