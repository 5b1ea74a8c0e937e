-- Purpose: what the warehouse holds, for the answers' freshness and the cache's validity: the latest
--          load's end and newest arrival, and the latest load that brought rows (the data's version).
-- Grain: zero or one row. Parameters: none.
SELECT latest.loaded_at, latest.data_through, changes.changed_by
FROM (
  SELECT loaded_at, data_through
  FROM stg.load
  ORDER BY run_id DESC
  LIMIT 1
) latest
CROSS JOIN (
  SELECT MAX(run_id) AS changed_by
  FROM stg.load
  WHERE rows_loaded > 0
) changes
