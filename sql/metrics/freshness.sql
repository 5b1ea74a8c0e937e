-- Purpose: what the warehouse holds, for the answers' freshness and the cache's validity: the latest
--          load's end and newest arrival, and the latest load that may have changed the data (the data's
--          version): one that brought new rows, or a window or rebuild run, which may repair old ones.
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
  WHERE rows_new > 0 OR mode <> 'arrival'
) changes
