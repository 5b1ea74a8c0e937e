-- Warehouse (Amazon Redshift): the rollups the metrics API answers from, refreshed in the ETL's merge
-- transaction for the days a load touched. Same tables and columns as the PostgreSQL file next to this
-- one; only physical design differs: day sort keys for range reads, and device tables distributed by
-- device like stg.adjust, so the refresh needs no redistribution. Dimension values are never NULL: unknown is ''.

-- Installs by day and dynamic channel (the latest install_update's): an update recounts the installs of
-- its device's install day, and nothing else of that day.
CREATE TABLE stg.daily_installs (
  day      DATE         NOT NULL,
  app      VARCHAR(256) NOT NULL,
  os       VARCHAR(32)  NOT NULL,
  country  VARCHAR(16)  NOT NULL,
  channel  VARCHAR(256) NOT NULL,
  installs BIGINT       NOT NULL
)
DISTSTYLE EVEN
SORTKEY (day);

-- Registrations and session lengths. A row belongs to the activities' own day (`created_day`, what a
-- refresh replaces) and counts for `day`: the same day, except for a session length, which counts for the
-- day of the session it measures (last_session_time).
CREATE TABLE stg.daily_counts (
  created_day     DATE         NOT NULL,
  day             DATE         NOT NULL,
  app             VARCHAR(256) NOT NULL,
  os              VARCHAR(32)  NOT NULL,
  country         VARCHAR(16)  NOT NULL,
  channel         VARCHAR(256) NOT NULL,
  registrations   BIGINT       NOT NULL,
  session_seconds BIGINT       NOT NULL,
  sessions        BIGINT       NOT NULL
)
DISTSTYLE EVEN
SORTKEY (day);

-- The devices active on each day, once per day and dimension values: exact distinct counts for any filter.
CREATE TABLE stg.active_device (
  day     DATE         NOT NULL,
  adid    VARCHAR(64)  NOT NULL,
  app     VARCHAR(256) NOT NULL,
  os      VARCHAR(32)  NOT NULL,
  country VARCHAR(16)  NOT NULL,
  channel VARCHAR(256) NOT NULL
)
DISTKEY (adid)
SORTKEY (day);

-- How many devices enter (+) and leave (-) the 1-, 7- and 30-day active windows on each day, for all
-- devices (dimension 'all', value '') and for each app, os, country and channel value: DAU, WAU and MAU
-- of a day, under no filter or one, are the running sums of these changes up to that day.
CREATE TABLE stg.active_change (
  day       DATE         NOT NULL,
  dimension VARCHAR(16)  NOT NULL,
  value     VARCHAR(256) NOT NULL,
  dau       INTEGER      NOT NULL,
  wau       INTEGER      NOT NULL,
  mau       INTEGER      NOT NULL
)
DISTSTYLE ALL
SORTKEY (dimension, value, day);

-- Work tables of the refresh, filled and emptied inside the merge transaction (merges run one at a time).
CREATE TABLE stg.refresh_day (
  day        DATE      NOT NULL,
  starts_at  TIMESTAMP NOT NULL,
  ends_at    TIMESTAMP NOT NULL,
  -- true: every activity of the day is recounted; false: only its installs (their channel moved)
  activities BOOLEAN   NOT NULL
)
DISTSTYLE ALL;
CREATE TABLE stg.refresh_device (
  adid VARCHAR(64) NOT NULL
)
DISTKEY (adid);
-- the changes a refresh adds up before writing them back: stg.active_change's columns
CREATE TABLE stg.active_change_work (LIKE stg.active_change);
CREATE TABLE stg.registration_event (
  name VARCHAR(256) NOT NULL PRIMARY KEY
)
DISTSTYLE ALL;

-- The settings the rollups were built with; a change of them needs a rebuild (`npm run etl -- --once --rebuild`).
CREATE TABLE stg.rollup_build (
  run_id               BIGINT        NOT NULL,
  built_at             TIMESTAMP     NOT NULL,
  timezone             VARCHAR(64)   NOT NULL,
  registration_events  VARCHAR(4096) NOT NULL,
  session_length_field VARCHAR(32)   NOT NULL
)
DISTSTYLE ALL;

-- Of a load's rows, those that were not in the warehouse before: a load that only read rows again (an
-- arrival run re-reads the last minutes) leaves the metric answers, and their ETags, as they were.
ALTER TABLE stg.load ADD COLUMN rows_new BIGINT DEFAULT 0 NOT NULL;
