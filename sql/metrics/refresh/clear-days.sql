-- Purpose: empty the refresh's work table of days (inside the merge transaction, before filling it).
-- Parameters: none.
DELETE FROM stg.refresh_day
