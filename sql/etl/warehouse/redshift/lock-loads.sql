-- Purpose: first statement of the merge: merges queue up behind each other even if two runs ever
--          overlapped (a lease lost with its connection). Redshift's LOCK is always ACCESS EXCLUSIVE and
--          held to COMMIT, so it takes a table nobody reads (migration 0006): readers of stg.load (the
--          freshness query, the next run's resume point) never wait for a load.
LOCK stg.load_lock
