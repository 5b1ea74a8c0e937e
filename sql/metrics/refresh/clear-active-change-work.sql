-- Purpose: empty the work table in which the refresh adds up active-window changes.
-- Parameters: none.
DELETE FROM stg.active_change_work
