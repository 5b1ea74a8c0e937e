-- Purpose: one session setting, for the warehouse check to compare with what the service sets
--          (CURRENT_SETTING: r_CURRENT_SETTING, the same answer as SHOW).
-- Parameters: $1 a setting's name from the check's own list (warehouse-check/check-session.ts).
-- Returns: one row.
SELECT current_setting($1) AS value
