-- Purpose: what the warehouse holds, for the answers' freshness and the cache's validity: the latest
--          load's end and newest arrival; the latest load that may have changed the data (the data's
--          version): one that brought new rows, or a window or rebuild run, which may repair old ones;
--          and the first report day such loads after the version a reader holds changed (answers for
--          ranges that end before it stay valid).
-- Grain: zero or one row. Parameters: $1 the version the reader holds (NULL: none; changed_from is
--        then NULL, as it is when a load may have changed any day).
SELECT latest.loaded_at, latest.data_through, changes.changed_by, since.changed_from
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
CROSS JOIN (
  SELECT CASE WHEN COUNT(first_changed_day) = COUNT(*) THEN CAST(MIN(first_changed_day) AS VARCHAR(10)) END AS changed_from
  FROM stg.load
  WHERE run_id > $1 AND (rows_new > 0 OR mode <> 'arrival')
) since
