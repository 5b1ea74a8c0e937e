-- Purpose: the first and last day of an arrival load's new active (day, device, values): the window
--          changes of those days and of the 30 after them may move.
-- Grain: one row (NULLs when the load made no device newly active).
SELECT CAST(MIN(day) AS VARCHAR(10)) AS first_day, CAST(MAX(day) AS VARCHAR(10)) AS last_day
FROM load_active
