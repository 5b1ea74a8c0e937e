-- Purpose: merge step 4: forget load records older than a cut-off; only the latest one is read back.
-- Parameters: $1 the cut-off (UTC).
DELETE FROM stg.load
WHERE loaded_at < $1
