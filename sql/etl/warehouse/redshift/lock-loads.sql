-- Purpose: first statement of the merge: merges queue up behind each other even if two runs ever
--          overlapped (a lease lost with its connection). Redshift's LOCK is always exclusive; the
--          merge holds it for seconds.
LOCK stg.load
