-- Warehouse (PostgreSQL stand-in for Redshift): the activities the ETL loads, and its load record.
-- Same columns, types and byte limits as the Redshift file next to this one; only physical design
-- differs (indexes here, DISTKEY/SORTKEY there). Times are UTC, without time zone.
CREATE TABLE stg.adjust (
  id                     BIGINT           NOT NULL PRIMARY KEY,
  received_at            TIMESTAMP        NOT NULL,
  activity_kind          VARCHAR(64)      NOT NULL,
  created_at             TIMESTAMP        NOT NULL,
  installed_at           TIMESTAMP,
  click_time             TIMESTAMP,
  reattributed_at        TIMESTAMP,
  last_session_time      TIMESTAMP,
  adid                   VARCHAR(64),
  gps_adid               VARCHAR(64),
  idfa                   VARCHAR(64),
  idfv                   VARCHAR(64),
  android_id             VARCHAR(64),
  app_token              VARCHAR(64),
  app_id                 VARCHAR(256),
  app_name               VARCHAR(256),
  app_version            VARCHAR(64),
  environment            VARCHAR(32),
  store                  VARCHAR(64),
  tracker                VARCHAR(64),
  tracker_name           VARCHAR(1024),
  network_name           VARCHAR(256),
  campaign_name          VARCHAR(1024),
  adgroup_name           VARCHAR(1024),
  creative_name          VARCHAR(1024),
  is_organic             BOOLEAN,
  country                VARCHAR(16),
  os_name                VARCHAR(32),
  os_version             VARCHAR(64),
  device_type            VARCHAR(64),
  device_name            VARCHAR(256),
  event                  VARCHAR(64),
  event_name             VARCHAR(256),
  revenue                DOUBLE PRECISION,
  revenue_float          DOUBLE PRECISION,
  revenue_usd            DOUBLE PRECISION,
  currency               VARCHAR(16),
  reporting_revenue      DOUBLE PRECISION,
  reporting_currency     VARCHAR(16),
  last_time_spent        INTEGER,
  time_spent             INTEGER,
  session_count          INTEGER,
  lifetime_session_count INTEGER,
  extra                  VARCHAR(65535)   NOT NULL
);
-- window-mode merges delete by event time; the rollups read days by event time. Rows arrive roughly in
-- event-time order, so a BRIN index (a few pages, nearly free to keep up on insert) narrows those scans
-- the way Redshift's sort key does, where a B-tree would cost the merge a second sorted write per row.
CREATE INDEX adjust_created_at ON stg.adjust USING brin (created_at);

-- One row per successful load, written in the merge transaction: where the next arrival-mode extract
-- resumes, and what the warehouse holds (freshness).
CREATE TABLE stg.load (
  run_id          BIGINT      NOT NULL,
  mode            VARCHAR(16) NOT NULL,
  loaded_at       TIMESTAMP   NOT NULL,
  resume_after_id BIGINT      NOT NULL,
  data_through    TIMESTAMP,
  rows_loaded     BIGINT      NOT NULL,
  maintained      BOOLEAN     NOT NULL
);
CREATE INDEX load_loaded_at ON stg.load (loaded_at);
