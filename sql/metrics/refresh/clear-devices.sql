-- Purpose: empty the refresh's work table of devices (inside the merge transaction).
-- Parameters: none.
DELETE FROM stg.refresh_device
