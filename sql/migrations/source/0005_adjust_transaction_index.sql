-- migrate: outside a transaction
-- The extract finds the rows of a transaction by xact_id. CONCURRENTLY builds the index without blocking
-- the collector's inserts (it cannot run in a transaction). An interrupted build leaves an invalid index
-- behind, so the file starts by dropping whatever is there: it is safe to run again.
DROP INDEX CONCURRENTLY IF EXISTS mob.adjust_xact_id;
CREATE INDEX CONCURRENTLY adjust_xact_id ON mob.adjust (xact_id);
