-- Purpose: first statement of the merge: merges queue up behind each other even if two runs ever
--          overlapped (a lease lost with its connection). SHARE ROW EXCLUSIVE conflicts with itself but
--          not with readers, so the freshness query never waits.
LOCK TABLE stg.load IN SHARE ROW EXCLUSIVE MODE
