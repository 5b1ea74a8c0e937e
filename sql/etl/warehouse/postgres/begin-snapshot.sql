-- Purpose: a transaction whose statements all read one snapshot (PostgreSQL's default, READ COMMITTED,
--          takes one per statement): a window run's copies of the live tables agree with each other.
BEGIN ISOLATION LEVEL REPEATABLE READ
