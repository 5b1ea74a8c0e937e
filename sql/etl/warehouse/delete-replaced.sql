-- Purpose: merge step 1 (arrival and window modes): delete the warehouse rows that staged rows replace.
--          A source row never changes its created_at, so the time bound only lets Redshift skip blocks
--          (stg.adjust is sorted by created_at) without changing which rows match.
-- Parameters: $1 the earliest created_at among the staged rows.
DELETE FROM stg.adjust
USING stage_adjust
WHERE stg.adjust.id = stage_adjust.id
  AND stg.adjust.created_at >= $1
