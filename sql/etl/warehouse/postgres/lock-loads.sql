-- Purpose: first statement of the merge: merges queue up behind each other even if two runs ever
--          overlapped (a lease lost with its connection). The same lock as Redshift's LOCK (ACCESS
--          EXCLUSIVE, held to COMMIT), on a table nobody reads (migration 0006), so readers of stg.load
--          (the freshness query, the next run's resume point) never wait for a load.
LOCK TABLE stg.load_lock IN ACCESS EXCLUSIVE MODE
