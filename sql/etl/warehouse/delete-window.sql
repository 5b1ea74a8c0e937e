-- Purpose: merge step 1 (window mode): delete every warehouse row in the re-read window; the staged
--          rows hold the source's current copy of that window, so any difference is repaired.
-- Parameters: $1 the window's start (UTC, inclusive).
DELETE FROM stg.adjust
WHERE created_at >= $1
