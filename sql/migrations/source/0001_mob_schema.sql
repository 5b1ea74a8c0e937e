-- Source (app) database: the schema that holds Adjust callbacks and the record of ETL runs.
CREATE SCHEMA IF NOT EXISTS mob;

-- One row per ETL run (the ETL module fills it; health reads the last successful one).
CREATE TABLE mob.etl_run (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  status         TEXT        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
  trigger        TEXT        NOT NULL,
  started_at     TIMESTAMPTZ NOT NULL,
  finished_at    TIMESTAMPTZ,
  rows_extracted BIGINT      NOT NULL DEFAULT 0,
  rows_loaded    BIGINT      NOT NULL DEFAULT 0,
  staged_files   INTEGER     NOT NULL DEFAULT 0,
  staged_bytes   BIGINT      NOT NULL DEFAULT 0,
  days_refreshed DATE[]      NOT NULL DEFAULT '{}',
  error          TEXT
);
CREATE INDEX etl_run_status_finished ON mob.etl_run (status, finished_at DESC);
