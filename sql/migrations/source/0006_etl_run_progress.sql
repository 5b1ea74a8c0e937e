-- A run's progress (its step, what it is doing, the share done and an estimate of the time left), which
-- GET /api/v1/etl/runs/{id}, the command line and the dashboard show while a long run works, and where
-- its rollup step spent its time, statement by statement. Nullable columns without a default: added
-- without rewriting mob.etl_run.
ALTER TABLE mob.etl_run
  ADD COLUMN progress  JSONB,
  -- JSON, not JSONB: it keeps the statements in the order they ran
  ADD COLUMN rollup_ms JSON;
