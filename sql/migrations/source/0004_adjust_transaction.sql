-- The exact resume point of the ETL's arrival-mode extract: each row records the transaction that
-- inserted it, so a run can read again exactly the rows of the transactions still in flight when the
-- previous run took its snapshot (see sql/etl/extract/set-bounds.sql). Every writer of mob.adjust (the
-- collector's replicas, callbacks:replay, an application's own code) fills it through the default.
--
-- No table rewrite: the column is added without a default (existing rows read NULL: they committed
-- before this statement could take its lock), then the default applies to new rows only. Both statements
-- hold mob.adjust's lock for a moment; the lock timeout keeps a long transaction elsewhere from queueing
-- the collector's inserts behind them (the migrator then tries again).
SET LOCAL lock_timeout = '2s';
ALTER TABLE mob.adjust ADD COLUMN xact_id xid8;
ALTER TABLE mob.adjust ALTER COLUMN xact_id SET DEFAULT pg_current_xact_id();
